package org.maclip.scoring;

/**
 * The colour scale of quality maps, viridis (dark purple low, yellow high), as maclip-pytorch's
 * maps use it: one table for the plugin's overlays and the CLI report's maps, so they agree.
 */
public final class ColourScale {
  private static final int[][] VIRIDIS = {
    {68, 1, 84}, {72, 40, 120}, {62, 74, 137}, {49, 104, 142}, {38, 130, 142},
    {31, 158, 137}, {53, 183, 121}, {109, 205, 89}, {180, 222, 44}, {253, 231, 37},
  };

  private ColourScale() {}

  /** The scale's anchors, evenly spaced from 0 to 1, each {red, green, blue} in 0–255. */
  public static int[][] anchors() {
    int[][] copy = new int[VIRIDIS.length][];
    for (int i = 0; i < copy.length; i++) {
      copy[i] = VIRIDIS[i].clone();
    }
    return copy;
  }

  /**
   * The colour at {@code position} in [0, 1] (clamped; NaN is 0), linearly between the anchors,
   * as {@code 0xRRGGBB}.
   */
  public static int rgb(double position) {
    double p = Double.isNaN(position) ? 0 : Math.max(0, Math.min(1, position));
    double scaled = p * (VIRIDIS.length - 1);
    int below = Math.min((int) Math.floor(scaled), VIRIDIS.length - 2);
    double frac = scaled - below;
    int rgb = 0;
    for (int k = 0; k < 3; k++) {
      rgb = rgb << 8
          | (int) Math.round(VIRIDIS[below][k] * (1 - frac) + VIRIDIS[below + 1][k] * frac);
    }
    return rgb;
  }
}
