package org.maclip.cli.report;

import java.util.List;

/**
 * A scoring run as a report shows it.
 *
 * @param facts what the run says of itself (model, settings, date), in order
 * @param pairs the positive prompts of the model's pairs, the order of {@link ImageRow#pairs()}
 * @param rows every image, in the run's order
 */
public record Run(List<Fact> facts, List<String> pairs, List<ImageRow> rows) {
  /** One line of the summary: a label and its value. */
  public record Fact(String label, String value) {}

  /** The fusion parameters as the summary shows them, e.g. {@code λ 0.5, α 1.0, b_sim 1.0}. */
  public static String parameters(double lam, double alpha, double bSim, double bMag) {
    return "λ " + lam + ", α " + alpha + ", b_sim " + bSim + ", b_mag " + bMag;
  }

  public Run {
    facts = List.copyOf(facts);
    pairs = List.copyOf(pairs);
    rows = List.copyOf(rows);
  }
}
