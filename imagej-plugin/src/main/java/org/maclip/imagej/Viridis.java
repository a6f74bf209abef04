package org.maclip.imagej;

import ij.process.LUT;
import java.awt.Color;
import org.maclip.scoring.ColourScale;

/** The viridis colour scale of {@link ColourScale} as AWT colours and an ImageJ LUT. */
public final class Viridis {
  private Viridis() {}

  /** The colour at {@code position} in [0, 1] (clamped), with the given alpha (0–255). */
  public static Color at(double position, int alpha) {
    int rgb = ColourScale.rgb(position);
    return new Color(rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff, alpha);
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
