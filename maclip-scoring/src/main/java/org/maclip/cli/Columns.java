package org.maclip.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;
import org.maclip.scoring.PairProbability;
import org.maclip.scoring.ScoreResult;

/**
 * The flat columns of tables and CSV, and one result as their cells: path, the scores, views and
 * size, then (on request) one column per prompt pair, then the error.
 *
 * @param pairs the positive prompts of the bundle's pairs whose probability gets a column (empty:
 *     none)
 */
record Columns(List<String> pairs) {
  /** The columns every table has before the pair columns. */
  static final List<String> SCORES =
      List.of("path", "q", "q_sim", "q_mag", "w_sim", "w_mag", "views", "width", "height");

  /** The last column. */
  static final String ERROR = "error";

  /** Index of the first numeric column. */
  static final int FIRST_NUMBER = 1;

  /** Without pair columns. */
  static final Columns PLAIN = new Columns(List.of());

  Columns {
    pairs = List.copyOf(pairs);
  }

  /** Every column's name, in order. */
  List<String> names() {
    List<String> names = new ArrayList<>(SCORES);
    pairs.forEach(p -> names.add(PairProbability.column(p)));
    names.add(ERROR);
    return names;
  }

  /** Index of the error column, the last; the numeric ones lie between FIRST_NUMBER and it. */
  int errorIndex() {
    return SCORES.size() + pairs.size();
  }

  /**
   * One result's cells, in {@link #names()} order. Scores are formatted by {@code number}; a failed
   * image's scores, sizes and pair probabilities are empty, its views 0.
   */
  List<String> cells(ScoreResult r, DoubleFunction<String> number) {
    List<String> cells = new ArrayList<>(errorIndex() + 1);
    cells.add(r.name());
    for (double score : new double[] {r.q(), r.qSim(), r.qMag(), r.wSim(), r.wMag()}) {
      cells.add(Double.isNaN(score) ? "" : number.apply(score));
    }
    cells.add(Integer.toString(r.viewCount()));
    cells.add(r.ok() ? Integer.toString(r.width()) : "");
    cells.add(r.ok() ? Integer.toString(r.height()) : "");
    for (String positive : pairs) {
      double p = probability(r, positive);
      cells.add(Double.isNaN(p) ? "" : number.apply(p));
    }
    cells.add(r.ok() ? "" : r.error());
    return cells;
  }

  /** The probability of the pair whose positive prompt is {@code positive}, else NaN. */
  private static double probability(ScoreResult r, String positive) {
    for (PairProbability pair : r.pairs()) {
      if (pair.positive().equals(positive)) {
        return pair.probability();
      }
    }
    return Double.NaN;
  }
}
