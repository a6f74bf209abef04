package org.maclip.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;
import org.maclip.scoring.ScoreResult;

/** The flat columns of tables and CSV, and one result as their cells. */
final class Columns {
  static final List<String> NAMES =
      List.of("path", "q", "q_sim", "q_mag", "w_sim", "w_mag", "views", "width", "height", "error");

  /** Index of the first numeric column and of the error column. */
  static final int FIRST_NUMBER = 1;

  static final int ERROR = NAMES.size() - 1;

  private Columns() {}

  /**
   * One result's cells, in {@link #NAMES} order. Scores are formatted by {@code number}; a failed
   * image's scores and sizes are empty, its views 0.
   */
  static List<String> cells(ScoreResult r, DoubleFunction<String> number) {
    List<String> cells = new ArrayList<>(NAMES.size());
    cells.add(r.name());
    for (double score : new double[] {r.q(), r.qSim(), r.qMag(), r.wSim(), r.wMag()}) {
      cells.add(Double.isNaN(score) ? "" : number.apply(score));
    }
    cells.add(Integer.toString(r.viewCount()));
    cells.add(r.ok() ? Integer.toString(r.width()) : "");
    cells.add(r.ok() ? Integer.toString(r.height()) : "");
    cells.add(r.ok() ? "" : r.error());
    return cells;
  }
}
