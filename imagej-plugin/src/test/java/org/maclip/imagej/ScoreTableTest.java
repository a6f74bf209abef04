package org.maclip.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.measure.ResultsTable;
import ij.plugin.filter.Analyzer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.maclip.scoring.PairProbability;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.ViewBox;
import org.maclip.scoring.ViewScore;

class ScoreTableTest {
  static ScoreResult scored(String name, double q) {
    ViewScore view = new ViewScore(new ViewBox(0, 0, 224, 224, true), q, 0.7, 0.4, 0.25, 0.75);
    return new ScoreResult(name, q, 0.7, 0.4, 0.25, 0.75, List.of(), 224, 224, 224, 224,
        List.of(view, view), null);
  }

  @Test
  void aRowHoldsTheScoresInTheDocumentedColumns() {
    ResultsTable rt = ScoreTable.create();
    ScoreTable.addRow(rt, "cells.tif", 3, scored("cells.tif", 0.55), "RN50/openai", false);
    assertEquals("Title,Slice,Q,Q_sim,Q_mag,w_sim,w_mag,views,model",
        String.join(",", rt.getHeadings()));
    assertEquals("cells.tif", rt.getStringValue("Title", 0));
    assertEquals(3, rt.getValue("Slice", 0));
    assertEquals(0.55, rt.getValue("Q", 0));
    assertEquals(0.7, rt.getValue("Q_sim", 0));
    assertEquals(0.4, rt.getValue("Q_mag", 0));
    assertEquals(0.25, rt.getValue("w_sim", 0));
    assertEquals(0.75, rt.getValue("w_mag", 0));
    assertEquals(2, rt.getValue("views", 0));
    assertEquals("RN50/openai", rt.getStringValue("model", 0));
  }

  @Test
  void eachPromptPairOfTheModelIsAColumnNamedAfterItsPositivePrompt() {
    ScoreResult sharp = new ScoreResult("a.tif", 0.5, 0.7, 0.4, 0.25, 0.75,
        List.of(new PairProbability("Good image", "bad image", 0.8),
            new PairProbability("Sharp image", "blurry image", 0.3)),
        224, 224, 224, 224, List.of(), null);
    ResultsTable rt = ScoreTable.create();
    ScoreTable.addRow(rt, "a.tif", 1, sharp, "m", true);
    ScoreTable.addRow(rt, "b.tif", 1, ScoreResult.failed("b.tif", "truncated"), "m", true);
    assertEquals("Title,Slice,Q,Q_sim,Q_mag,w_sim,w_mag,views,p(Good image),p(Sharp image),model,"
        + "Error", String.join(",", rt.getHeadings()));
    assertEquals(0.8, rt.getValue("p(Good image)", 0));
    assertEquals(0.3, rt.getValue("p(Sharp image)", 0));
    assertTrue(Double.isNaN(rt.getValue("p(Sharp image)", 1)), "not 0 for a failed image");
  }

  @Test
  void aFailedFileGetsNanScoresAndItsReason() {
    ResultsTable rt = ScoreTable.create();
    ScoreTable.addRow(rt, "good.png", 1, scored("good.png", 0.5), "m", true);
    ScoreTable.addRow(rt, "bad.tif", 1, ScoreResult.failed("bad.tif", "truncated"), "m", true);
    assertEquals("", rt.getStringValue("Error", 0));
    assertEquals("truncated", rt.getStringValue("Error", 1));
    assertTrue(Double.isNaN(rt.getValue("Q", 1)));
    assertEquals(0, rt.getValue("views", 1));
  }

  @Test
  void withNoDisplayTheTableBecomesTheResultsTableMacrosRead() {
    ResultsTable rt = ScoreTable.create();
    ScoreTable.addRow(rt, "a", 1, scored("a", 0.5), "m", false);
    ScoreTable.show(rt);
    assertSame(rt, Analyzer.getResultsTable());
    assertSame(rt, ScoreTable.existingOrNew());
  }
}
