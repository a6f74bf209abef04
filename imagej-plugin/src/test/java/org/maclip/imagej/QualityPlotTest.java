package org.maclip.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ij.gui.Plot;
import org.junit.jupiter.api.Test;

class QualityPlotTest {
  @Test
  void bestAndWorstSkipFailedPlanes() {
    double[] q = {Double.NaN, 0.4, 0.9, 0.1, Double.NaN};
    assertEquals(2, QualityPlot.extreme(q, true));
    assertEquals(3, QualityPlot.extreme(q, false));
    assertEquals(-1, QualityPlot.extreme(new double[] {Double.NaN}, true));
  }

  @Test
  void thePlotHoldsQAgainstSlice() {
    Plot plot = QualityPlot.create("s", "Slice", new double[] {1, 2, 3},
        new double[] {0.3, 0.8, 0.5});
    float[] y = plot.getYValues();
    assertEquals(3, y.length);
    assertEquals(0.8f, y[1]);
    assertEquals("Slice", plot.getLabel('x'));
  }
}
