package org.maclip.scoring;

/** Mean probability, over an image's views, of the positive prompt of one antonym pair. */
public record PairProbability(String positive, String negative, double probability) {
  /**
   * The name of a pair's column in tables (the CLI's table and CSV, the plugin's results table,
   * the report): {@code p(<positive prompt>)}, e.g. {@code p(Sharp image)}.
   */
  public static String column(String positive) {
    return "p(" + positive + ")";
  }

  /** This pair's {@link #column(String)}. */
  public String column() {
    return column(positive);
  }
}
