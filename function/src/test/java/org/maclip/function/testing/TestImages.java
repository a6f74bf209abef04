package org.maclip.function.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.ImageIO;

/** Small seeded images, encoded as the formats the function reads. */
public final class TestImages {
  private TestImages() {}

  /**
   * A gradient whose blue depends on the seed, plus seeded noise of amplitude {@code noise}: 0
   * compresses to a few kilobytes, 255 hardly at all.
   */
  public static byte[] encode(String format, int width, int height, long seed, int noise) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(seed);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int r = clamp(255 * x / width + jitter(random, noise));
        int g = clamp(255 * y / height + jitter(random, noise));
        int b = clamp((int) (seed * 37 % 256) + jitter(random, noise));
        image.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format, out)) {
        throw new IllegalArgumentException("no ImageIO writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  public static byte[] png(int width, int height, long seed) {
    return encode("png", width, height, seed, 0);
  }

  private static int jitter(Random random, int noise) {
    return noise == 0 ? 0 : random.nextInt(2 * noise + 1) - noise;
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }
}
