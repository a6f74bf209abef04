package org.maclip.imagej;

import ij.process.LUT;
import java.awt.Color;

/** The viridis colour scale (dark purple low, yellow high), as maclip-pytorch's maps use it. */
public final class Viridis {
  private static final int[][] ANCHORS = {
    {68, 1, 84}, {72, 40, 120}, {62, 74, 137}, {49, 104, 142}, {38, 130, 142},
    {31, 158, 137}, {53, 183, 121}, {109, 205, 89}, {180, 222, 44}, {253, 231, 37},
  };

  private Viridis() {}

  /** The colour at {@code position} in [0, 1] (clamped), with the given alpha (0–255). */
  public static Color at(double position, int alpha) {
    double p = Double.isNaN(position) ? 0 : Math.max(0, Math.min(1, position));
    double scaled = p * (ANCHORS.length - 1);
    int below = Math.min((int) Math.floor(scaled), ANCHORS.length - 2);
    double frac = scaled - below;
    int[] rgb = new int[3];
    for (int k = 0; k < 3; k++) {
      rgb[k] = (int) Math.round(ANCHORS[below][k] * (1 - frac) + ANCHORS[below + 1][k] * frac);
    }
    return new Color(rgb[0], rgb[1], rgb[2], alpha);
  }

  /** A 256-entry ImageJ LUT of the scale, for 32-bit map images. */
  public static LUT lut() {
    byte[] r = new byte[256];
    byte[] g = new byte[256];
    byte[] b = new byte[256];
    for (int i = 0; i < 256; i++) {
      Color c = at(i / 255.0, 255);
      r[i] = (byte) c.getRed();
      g[i] = (byte) c.getGreen();
      b[i] = (byte) c.getBlue();
    }
    return new LUT(r, g, b);
  }
}
