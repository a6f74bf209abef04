package org.maclip.scoring;

/**
 * Decoded RGB pixels in [0, 1], planar: {@code pixels[c * height * width + y * width + x]}.
 *
 * @param width pixels per row
 * @param height rows
 * @param pixels {@code 3 * height * width} values, channel-major (R plane, G plane, B plane)
 */
public record RgbImage(int width, int height, float[] pixels) {
  public RgbImage {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("image has no pixels (" + width + "x" + height + ")");
    }
    if (pixels.length != 3L * width * height) {
      throw new IllegalArgumentException(
          "expected " + 3L * width * height + " values for " + width + "x" + height
              + ", got " + pixels.length);
    }
  }
}
