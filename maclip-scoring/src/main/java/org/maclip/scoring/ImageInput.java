package org.maclip.scoring;

import java.awt.image.BufferedImage;
import java.nio.file.Path;

/**
 * One image to score: a name for results and errors, and how to get its pixels. Inputs are
 * decoded only when the scorer reaches them, so a long list holds no pixels in memory.
 */
public interface ImageInput {
  /** The name used in results and error messages. */
  String name();

  /** Decodes the pixels, refusing images with more than {@code maxPixels} pixels. */
  RgbImage decode(long maxPixels) throws ImageException;

  /**
   * The input to decode in this one's place: an input that only names a file returns {@link
   * #of(Path)} of it, so the scorer checks the size and the memory need on the file's header
   * before any pixel is decoded. This input itself by default.
   */
  default ImageInput source() {
    return this;
  }

  static ImageInput of(Path path) {
    return new Inputs.FileInput(path);
  }

  static ImageInput of(String name, byte[] encoded) {
    return new Inputs.BytesInput(name, encoded);
  }

  static ImageInput of(String name, BufferedImage image) {
    return new Inputs.BufferedInput(name, image);
  }

  static ImageInput of(String name, RgbImage image) {
    return new Inputs.RgbInput(name, image);
  }
}
