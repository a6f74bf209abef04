package org.maclip.scoring;

/**
 * An image read CLIP-normalised, {@code (x − mean) / std} per channel in float32 as the reference
 * computes it, value by value as views are cut: the normalised image is never held whole.
 *
 * @param image prepared pixels in [0, 1]
 * @param mean per-channel mean
 * @param std per-channel standard deviation
 */
record Normalised(RgbImage image, float[] mean, float[] std) {
  Normalised {
    mean = mean.clone();
    std = std.clone();
  }

  int width() {
    return image.width();
  }

  int height() {
    return image.height();
  }

  /** Channel {@code c}'s normalised value at {@code (x, y)}. */
  float value(int c, int x, int y) {
    return (image.value(c, x, y) - mean[c]) / std[c];
  }

  /** {@code n} normalised values of channel {@code c} from {@code (x, y)} into {@code dst}. */
  void row(int c, int x, int y, int n, float[] dst) {
    image.row(c, x, y, n, dst);
    for (int k = 0; k < n; k++) {
      dst[k] = (dst[k] - mean[c]) / std[c];
    }
  }
}
