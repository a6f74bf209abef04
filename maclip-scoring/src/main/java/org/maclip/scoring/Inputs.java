package org.maclip.scoring;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Objects;

/** The {@link ImageInput} kinds behind {@link ImageInput#of}: files, bytes, Java images, pixels. */
final class Inputs {
  private Inputs() {}

  /** The most pixels one planar RGB float array can hold (Java arrays have int indices). */
  static final long MAX_ARRAY_PIXELS = (Integer.MAX_VALUE - 8) / 3;

  /** Refuses a size whose RGB floats would not fit one Java array, whatever the limit. */
  static void checkArray(String name, long width, long height) throws ImageException {
    if (width * height > MAX_ARRAY_PIXELS) {
      throw new ImageException(
          name,
          width + "x" + height + " = " + width * height + " pixels is more than one image can"
              + " hold here (" + MAX_ARRAY_PIXELS + ")");
    }
  }

  /** An encoded input, whose size can be checked on its header before decoding. */
  interface Encoded extends ImageInput {
    RgbImage decode(ImageDecoder.SizeCheck check) throws ImageException;
  }

  record FileInput(Path path) implements Encoded {
    FileInput {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public String name() {
      return path.toString();
    }

    @Override
    public RgbImage decode(long maxPixels) throws ImageException {
      return ImageDecoder.decode(path, maxPixels);
    }

    @Override
    public RgbImage decode(ImageDecoder.SizeCheck check) throws ImageException {
      return ImageDecoder.decode(path, check);
    }
  }

  record BytesInput(String name, byte[] encoded) implements Encoded {
    BytesInput {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(encoded, "encoded");
    }

    @Override
    public RgbImage decode(long maxPixels) throws ImageException {
      return ImageDecoder.decode(name, encoded, maxPixels);
    }

    @Override
    public RgbImage decode(ImageDecoder.SizeCheck check) throws ImageException {
      return ImageDecoder.decode(name, encoded, check);
    }
  }

  record BufferedInput(String name, BufferedImage image) implements ImageInput {
    BufferedInput {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(image, "image");
    }

    @Override
    public RgbImage decode(long maxPixels) throws ImageException {
      PixelLimitException.check(name, image.getWidth(), image.getHeight(), maxPixels);
      return ImageDecoder.fromBufferedImage(name, image);
    }
  }

  record RgbInput(String name, RgbImage image) implements ImageInput {
    RgbInput {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(image, "image");
    }

    @Override
    public RgbImage decode(long maxPixels) throws ImageException {
      PixelLimitException.check(name, image.width(), image.height(), maxPixels);
      for (float v : image.pixels()) {
        if (!(v >= 0f && v <= 1f)) {
          throw new ImageException(
              name, "pixel values must be finite and lie in [0, 1], found " + v);
        }
      }
      return image;
    }
  }
}
