package org.maclip.scoring;

/**
 * An image refused for its size, before its pixels are decoded or resized: over the pixel limit
 * (the decompression-bomb guard). Its reason does not say how to raise the limit; each surface
 * says that in its own words ({@link ScorerOptions#maxPixelsSetting}).
 */
public class PixelLimitException extends ImageException {
  PixelLimitException(String source, String reason) {
    super(source, reason);
  }

  /**
   * Refuses an image of {@code width × height} with more than {@code maxPixels} pixels, or more
   * than one Java array holds whatever the limit (a plain {@link ImageException}).
   */
  public static void check(String name, long width, long height, long maxPixels)
      throws ImageException {
    long pixels = width * height;
    if (pixels > maxPixels) {
      throw new PixelLimitException(
          name,
          width + "x" + height + " = " + pixels + " pixels is over the limit of " + maxPixels
              + " (decompression-bomb guard)");
    }
    Inputs.checkArray(name, width, height);
  }
}
