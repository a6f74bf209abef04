package org.maclip.cli;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;

/** Images made on the spot for the command-line tests: good ones and every kind of bad one. */
final class TestImages {
  private TestImages() {}

  /** PNG bytes of a seeded noisy gradient. */
  static byte[] png(int width, int height, long seed) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(seed);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int r = (x * 255 / Math.max(1, width - 1) + random.nextInt(32)) & 0xff;
        int g = (y * 255 / Math.max(1, height - 1) + random.nextInt(32)) & 0xff;
        int b = random.nextInt(256);
        image.setRGB(x, y, r << 16 | g << 8 | b);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  static Path good(Path file, int width, int height, long seed) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    return Files.write(file, png(width, height, seed));
  }

  static Path zeroBytes(Path file) throws IOException {
    return Files.write(file, new byte[0]);
  }

  /** The first half of a good PNG. */
  static Path truncated(Path file) throws IOException {
    byte[] whole = png(300, 250, 7);
    return Files.write(file, Arrays.copyOf(whole, whole.length / 2));
  }

  /** A PNG whose IHDR says the image is 0 pixels wide (and whose checksum no longer fits). */
  static Path corruptHeader(Path file) throws IOException {
    byte[] bytes = png(64, 48, 3);
    Arrays.fill(bytes, 16, 20, (byte) 0);
    return Files.write(file, bytes);
  }

  static Path textNamedPng(Path file) throws IOException {
    return Files.writeString(file, "this is not an image\n");
  }

  /** 1×20000 pixels: small on disk, but 224×4,480,000 once the short side is upscaled to 224. */
  static Path thin(Path file) throws IOException {
    return Files.write(file, png(1, 20000, 5));
  }
}
