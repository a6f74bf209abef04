package org.maclip.imagej;

import ij.IJ;
import ij.measure.ResultsTable;
import ij.plugin.filter.Analyzer;
import java.awt.GraphicsEnvironment;
import org.maclip.scoring.PairProbability;
import org.maclip.scoring.ScoreResult;

/**
 * The "MA-CLIP" results table: one row per scored image or plane. Columns: Title, Slice, Q,
 * Q_sim, Q_mag, w_sim, w_mag, views, one {@code p(<positive prompt>)} per prompt pair of the model
 * (e.g. {@code p(Sharp image)}: CLIP's probability for that prompt against its negative, not a
 * calibrated measurement), model (and Error, for folders). Cells a row does not fill (the pair
 * columns of an image that failed) are NaN.
 */
public final class ScoreTable {
  /** The table's window title. */
  public static final String TITLE = "MA-CLIP";
  /** Decimal places shown and written to CSV. */
  static final int PRECISION = 6;

  private ScoreTable() {}

  /** A new, empty table set up for scores. */
  public static ResultsTable create() {
    ResultsTable rt = new ResultsTable();
    rt.setPrecision(PRECISION);
    rt.showRowNumbers(false);
    rt.setNaNEmptyCells(true);
    return rt;
  }

  /**
   * Adds one row.
   *
   * @param title image title or file name
   * @param slice stack index of the plane (1 for single images)
   * @param result the scores; a failed result gives NaN scores
   * @param model the model's name, as {@link ModelHolder#describe} gives it
   * @param withError also write the Error column (empty when scored)
   */
  public static void addRow(
      ResultsTable rt, String title, int slice, ScoreResult result, String model,
      boolean withError) {
    rt.incrementCounter();
    rt.addValue("Title", title);
    rt.addValue("Slice", slice);
    rt.addValue("Q", result.q());
    rt.addValue("Q_sim", result.qSim());
    rt.addValue("Q_mag", result.qMag());
    rt.addValue("w_sim", result.wSim());
    rt.addValue("w_mag", result.wMag());
    rt.addValue("views", result.viewCount());
    for (PairProbability pair : result.pairs()) {
      rt.addValue(pair.column(), pair.probability());
    }
    rt.addValue("model", model);
    if (withError) {
      rt.addValue("Error", result.ok() ? "" : result.error());
    }
  }

  /**
   * Shows the table in a window titled "MA-CLIP". In a macro, and with no display (where named
   * tables cannot exist), it becomes the standard Results table instead, so that the macro's
   * {@code getResult("Q", 0)}, {@code nResults} and {@code saveAs("Results", ...)} read it
   * whatever other tables are open.
   */
  public static void show(ResultsTable rt) {
    if (toResults()) {
      Analyzer.setResultsTable(rt);
      rt.setPrecision(PRECISION);
      if (!GraphicsEnvironment.isHeadless()) {
        rt.show("Results");
      }
    } else {
      rt.show(TITLE);
    }
  }

  private static boolean toResults() {
    return GraphicsEnvironment.isHeadless() || IJ.isMacro();
  }

  /** The table shown now, to append to, or a new one. */
  public static ResultsTable existingOrNew() {
    ResultsTable rt = toResults()
        ? Analyzer.getResultsTable()
        : ResultsTable.getResultsTable(TITLE);
    if (rt == null || rt.getColumnIndex("Q") == ResultsTable.COLUMN_NOT_FOUND) {
      return create();
    }
    return rt;
  }
}
