package org.maclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.maclip.scoring.ScoreResult;

class ProgressTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private Progress run(boolean quiet, boolean terminal, int every, List<ScoreResult> results)
      throws Exception {
    ResultWriter writer = ResultWriter.create(OutputFormat.JSONL, out, false, Columns.PLAIN);
    Progress progress = new Progress(writer, new PrintWriter(err), quiet, terminal, every);
    for (int i = 0; i < results.size(); i++) {
      progress.finished(results.get(i), i + 1, results.size());
    }
    progress.summary(results.size());
    return progress;
  }

  private static List<ScoreResult> fiveWithOneFailure() {
    return List.of(Results.scored("a.png", 0.5), ScoreResult.failed("b.png", "truncated file"),
        Results.scored("c.png", 0.5), Results.scored("d.png", 0.5), Results.scored("e.png", 0.5));
  }

  @Test
  void withoutTerminalALineEveryNImagesErrorsAndASummary() throws Exception {
    Progress progress = run(false, false, 2, fiveWithOneFailure());
    assertEquals(List.of("error: b.png: truncated file", "scoring: 2 of 5 images",
        "scoring: 4 of 5 images", "scored 4 of 5 images; 1 failed"), err.toString().lines().toList());
    assertEquals(1, progress.failed());
    assertEquals(5, progress.done());
    assertEquals(5, out.toString().lines().count());
  }

  @Test
  void quietShowsErrorsOnly() throws Exception {
    run(true, false, 1, fiveWithOneFailure());
    assertEquals(List.of("error: b.png: truncated file"), err.toString().lines().toList());
  }

  @Test
  void onATerminalOneCounterRedrawnInPlaceThenCleared() throws Exception {
    run(false, true, 1, fiveWithOneFailure());
    String text = err.toString();
    assertTrue(text.startsWith("\rscoring: 1 of 5 images\r\033[Kerror: b.png: truncated file\n"),
        text);
    assertTrue(text.contains("\rscoring: 5 of 5 images\r\033[Kscored 4 of 5 images; 1 failed\n"),
        text);
    assertFalse(text.contains("scoring: 2 of 5 images\n"));
  }

  @Test
  void namesAndReasonsStayOnOneLine() throws Exception {
    run(true, false, 1, List.of(ScoreResult.failed("a\nb.png", "bad\rheader")));
    assertEquals("error: a\\nb.png: bad\\rheader\n", err.toString());
  }
}
