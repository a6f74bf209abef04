package org.maclip.scoring;

import java.util.List;

/**
 * One input made ready for cutting, as the reference's {@code pipeline.Preparer}: decode, check
 * the decoded and the prepared size against the pixel limit (on a file's header, before any pixel
 * is decoded), pre-resize on 8-bit pixels, cap / upscale with torch's antialiased bicubic, clamp,
 * CLIP-normalise, and list the view boxes.
 */
final class Preparer {
  private final Views.Config views;
  private final long maxPixels;
  private final float[] mean;
  private final float[] std;

  Preparer(Views.Config views, long maxPixels, float[] mean, float[] std) {
    this.views = views;
    this.maxPixels = maxPixels;
    this.mean = mean.clone();
    this.std = std.clone();
  }

  /**
   * A decoded, resized and normalised image with its view boxes.
   *
   * @param width decoded width
   * @param height decoded height
   * @param normalised prepared, CLIP-normalised pixels; the frame of {@code boxes}
   */
  record Prepared(int width, int height, RgbImage normalised, List<ViewBox> boxes) {}

  /** Prepares one input; every failure is an {@link ImageException} naming the input. */
  Prepared prepare(ImageInput input) throws ImageException {
    String name = input.name();
    ImageDecoder.SizeCheck prepared = (w, h) -> checkPrepared(name, w, h);
    RgbImage image;
    if (input instanceof Inputs.Encoded encoded) {
      ImageDecoder.SizeCheck decoded = ImageDecoder.pixelLimit(name, maxPixels);
      image =
          encoded.decode(
              (w, h) -> {
                decoded.check(w, h);
                prepared.check(w, h);
              });
    } else {
      image = input.decode(maxPixels);
      prepared.check(image.width(), image.height());
    }
    Views.Frame frame = Views.preparedSize(image.width(), image.height(), views);
    // pixels this library decoded are its own to normalise in place; a caller's are copied
    boolean owned = input instanceof Inputs.Encoded || input instanceof Inputs.BufferedInput;
    RgbImage resized = resize(image, (int) frame.width(), (int) frame.height(), owned);
    normalise(resized.pixels(), resized.width() * resized.height());
    List<ViewBox> boxes = Views.viewBoxes(resized.width(), resized.height(), views);
    return new Prepared(image.width(), image.height(), resized, boxes);
  }

  /** Refuses an image whose prepared size is over the pixel limit (before any resize). */
  private void checkPrepared(String name, int width, int height) throws ImageException {
    String over = Views.overPixelLimit(width, height, views, maxPixels);
    if (over != null) {
      throw new PixelLimitException(name, over);
    }
    Views.Frame frame = Views.preparedSize(width, height, views);
    Inputs.checkArray(name, frame.width(), frame.height());
  }

  /**
   * The reference's {@code views.prepare}: the pre-resize (always 8-bit, even at the native
   * size), then one antialiased bicubic resize to the prepared size, clamped to [0, 1]. The
   * result may be normalised in place: it is a new image unless {@code owned} says {@code image}
   * may be reused.
   */
  RgbImage resize(RgbImage image, int width, int height, boolean owned) {
    if (views.preResize().isPresent()) {
      ScorerOptions.Size size = views.preResize().get();
      image = preResize8bit(image, size.width(), size.height());
      owned = true;
    }
    if (image.width() == width && image.height() == height) {
      return owned ? image : new RgbImage(width, height, image.pixels().clone());
    }
    float[] out =
        Resize.bicubicAntialias(image.pixels(), 3, image.width(), image.height(), width, height);
    return new RgbImage(width, height, Resize.clamp01(out));
  }

  /**
   * The paper's pre-resize: {@code round(x · 255)} bytes, Pillow's 8-bit bicubic resize, back to
   * {@code bytes / 255} ({@code views.pre_resize_8bit}).
   */
  static RgbImage preResize8bit(RgbImage image, int width, int height) {
    float[] pixels = image.pixels();
    byte[] bytes = new byte[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      float x = Math.min(Math.max(pixels[i], 0f), 1f);
      bytes[i] = (byte) Math.rint(x * 255f);
    }
    byte[] resized = Resize.pilBicubic(bytes, 3, image.width(), image.height(), width, height);
    float[] out = new float[resized.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (resized[i] & 0xff) / 255f;
    }
    return new RgbImage(width, height, out);
  }

  /** {@code (x − mean) / std} per channel, in float32 as the reference computes it. */
  private void normalise(float[] pixels, int plane) {
    for (int c = 0; c < 3; c++) {
      for (int i = c * plane; i < (c + 1) * plane; i++) {
        pixels[i] = (pixels[i] - mean[c]) / std[c];
      }
    }
  }
}
