package org.maclip.cli.report;

import java.util.Arrays;
import java.util.Locale;

/** A histogram of one score over a run's images, drawn as inline SVG (no script, no library). */
final class Histogram {
  static final int BINS = 20;
  private static final int AXIS = 16;

  private Histogram() {}

  /** The counts of the finite {@code values} in {@link #BINS} equal bins from their min to max. */
  static int[] counts(double[] values, double lo, double hi) {
    int[] counts = new int[BINS];
    double span = hi > lo ? hi - lo : 1;
    for (double v : values) {
      if (Double.isFinite(v)) {
        counts[Math.min(BINS - 1, (int) ((v - lo) / span * BINS))]++;
      }
    }
    return counts;
  }

  /**
   * The SVG of {@code values} (NaN left out) titled {@code label}, its bars {@code width} by
   * {@code height} pixels in all; empty text when there is no value.
   */
  static String svg(String label, double[] values, int width, int height) {
    double[] finite = Arrays.stream(values).filter(Double::isFinite).toArray();
    if (finite.length == 0) {
      return "";
    }
    double lo = Arrays.stream(finite).min().getAsDouble();
    double hi = Arrays.stream(finite).max().getAsDouble();
    int[] counts = counts(finite, lo, hi);
    int top = Arrays.stream(counts).max().getAsInt();
    double barWidth = (double) width / BINS;
    double span = hi > lo ? hi - lo : 1;
    StringBuilder svg = new StringBuilder();
    svg.append("<figure class=\"histogram\"><figcaption>").append(Html.escape(label))
        .append("</figcaption><svg viewBox=\"0 0 ").append(width).append(' ')
        .append(height + AXIS).append("\" width=\"").append(width).append("\" height=\"")
        .append(height + AXIS).append("\" role=\"img\" aria-label=\"")
        .append(Html.escape("histogram of " + label + ", " + finite.length + " images"))
        .append("\">");
    for (int b = 0; b < BINS; b++) {
      if (counts[b] == 0) {
        continue;
      }
      double h = (double) counts[b] / top * (height - 4);
      svg.append("<rect x=\"").append(fmt(b * barWidth + 0.5)).append("\" y=\"")
          .append(fmt(height - h)).append("\" width=\"").append(fmt(barWidth - 1))
          .append("\" height=\"").append(fmt(h)).append("\"><title>")
          .append(Html.escape(String.format(Locale.ROOT, "%.4f to %.4f: %d image%s",
              lo + span * b / BINS, lo + span * (b + 1) / BINS, counts[b],
              counts[b] == 1 ? "" : "s")))
          .append("</title></rect>");
    }
    svg.append("<line x1=\"0\" x2=\"").append(width).append("\" y1=\"").append(height)
        .append("\" y2=\"").append(height).append("\"/>");
    svg.append("<text x=\"0\" y=\"").append(height + AXIS - 3).append("\">")
        .append(String.format(Locale.ROOT, "%.4f", lo)).append("</text>");
    svg.append("<text x=\"").append(width).append("\" y=\"").append(height + AXIS - 3)
        .append("\" text-anchor=\"end\">").append(String.format(Locale.ROOT, "%.4f", hi))
        .append("</text>");
    return svg.append("</svg></figure>\n").toString();
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
