package org.maclip.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;
import ij.plugin.filter.Analyzer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.maclip.scoring.ScoreResult;

/** What MA-CLIP Score shows when Esc ends the run: before any plane was scored, or later. */
class ScoreImageCommandTest {
  private ImagePlus stack;
  private List<Plane> planes;
  private ResultsTable before;

  @BeforeEach
  void aStackAndATableOfAnEarlierRun() {
    stack = IJ.createImage("s", "8-bit ramp", 240, 230, 3);
    planes = Planes.select(stack.getNChannels(), stack.getNSlices(), stack.getNFrames(),
        PlaneInput.current(stack), Planes.Scope.ALL);
    before = ScoreTable.create();
    ScoreTable.addRow(before, "earlier.tif", 1, ScoreTableTest.scored("earlier.tif", 0.5),
        "tiny", false);
    Analyzer.setResultsTable(before);
  }

  @AfterEach
  void close() {
    ImageJHarness.closeAll();
  }

  @Test
  void escBeforeThePlanesFirstBatchShowsNothingAndSaysSo() throws UserError {
    ScoreResult[] none = new ScoreResult[planes.size()];
    String log = logOf(() -> ScoreImageCommand.show(stack, planes, Planes.Scope.ALL, none,
        new Batches.Run("tiny", 0), true, false));
    assertSame(before, Analyzer.getResultsTable(), "the earlier table is left alone");
    assertEquals(1, before.size());
    assertTrue(log.contains("MA-CLIP: cancelled before any plane was scored (0 of 3)"), log);
  }

  @Test
  void escAfterTheFirstBatchShowsWhatWasScored() throws UserError {
    ScoreResult[] some = new ScoreResult[planes.size()];
    some[0] = ScoreTableTest.scored("s:1", 0.25);
    String log = logOf(() -> ScoreImageCommand.show(stack, planes, Planes.Scope.ALL, some,
        new Batches.Run("tiny", 1), false, false));
    ResultsTable shown = Analyzer.getResultsTable();
    assertEquals(1, shown.size());
    assertEquals(0.25, shown.getValue("Q", 0));
    assertTrue(log.contains("MA-CLIP: cancelled after 1 of 3 planes"), log);
  }

  /** What {@code work} logged (IJ.log prints to standard output when headless). */
  private static String logOf(Commands.Work work) throws UserError {
    PrintStream saved = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      work.run();
    } finally {
      System.setOut(saved);
    }
    String out = printed.toString(StandardCharsets.UTF_8);
    saved.print(out);
    return out;
  }
}
