package org.maclip.imagej;

import ij.gui.Plot;
import java.awt.Color;

/** Q against the slice or frame of a stack, with the best and worst planes marked. */
final class QualityPlot {
  private QualityPlot() {}

  /**
   * @param title the image's title
   * @param axis what x counts: Slice, Frame or Plane
   * @param x positions along that axis (1-based)
   * @param q the planes' Q (NaN for a plane that failed)
   */
  static Plot create(String title, String axis, double[] x, double[] q) {
    Plot plot = new Plot("MA-CLIP Q of " + title, axis, "Q");
    plot.setColor(Color.gray);
    plot.add("line", x, q);
    plot.setColor(new Color(40, 90, 180));
    plot.add("circle", x, q);
    int best = extreme(q, true);
    int worst = extreme(q, false);
    if (best >= 0) {
      String what = axis.toLowerCase(java.util.Locale.ROOT);
      mark(plot, x[best], q[best], new Color(0, 150, 0));
      mark(plot, x[worst], q[worst], new Color(200, 0, 0));
      plot.setColor(Color.black);
      // Only items with "n__" are in the legend, in that order: the points, the best, the worst.
      plot.addLegend("line\t0__Q\t1__best " + what + " " + fmt(x[best]) + "\t2__worst " + what
          + " " + fmt(x[worst]), "top-right");
    }
    plot.setColor(Color.black);
    if (best >= 0) {
      double pad = Math.max(1e-3, 0.12 * (q[best] - q[worst]));
      plot.setLimits(min(x) - 0.5, max(x) + 0.5, q[worst] - pad, q[best] + pad);
    }
    return plot;
  }

  /** A large filled circle. */
  private static void mark(Plot plot, double x, double y, Color color) {
    plot.setColor(color, color);
    plot.setLineWidth(3);
    plot.add("circle", new double[] {x}, new double[] {y});
    plot.setLineWidth(1);
  }

  /** Index of the largest (or smallest) finite value, -1 when there is none. */
  static int extreme(double[] values, boolean largest) {
    int found = -1;
    for (int i = 0; i < values.length; i++) {
      if (Double.isFinite(values[i])
          && (found < 0 || (largest ? values[i] > values[found] : values[i] < values[found]))) {
        found = i;
      }
    }
    return found;
  }

  private static double min(double[] v) {
    return java.util.Arrays.stream(v).min().orElse(0);
  }

  private static double max(double[] v) {
    return java.util.Arrays.stream(v).max().orElse(1);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
