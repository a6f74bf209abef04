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
      // Items with "__" are the only ones in the legend: the points, the best and the worst.
      plot.addLegend("line\t__Q\t__best " + what + " " + fmt(x[best]) + "\t__worst " + what + " "
          + fmt(x[worst]), "auto");
    }
    plot.setColor(Color.black);
    plot.setLimitsToFit(false);
    return plot;
  }

  private static void mark(Plot plot, double x, double y, Color color) {
    plot.setColor(color, color);
    plot.add("filled", new double[] {x}, new double[] {y});
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

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
