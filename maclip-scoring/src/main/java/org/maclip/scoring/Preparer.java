package org.maclip.scoring;

import java.util.List;

/**
 * One input made ready for cutting, as the reference's {@code pipeline.Preparer}: decode, check
 * the decoded and the prepared size against the pixel limit and what the image needs against the
 * memory budget (on a file's header, before any pixel is decoded), pre-resize on 8-bit pixels,
 * cap / upscale with torch's antialiased bicubic, clamp, and list the view boxes. An image viewed
 * at its decoded size stays as compact as it was decoded ({@link RgbImage}); the views are
 * CLIP-normalised as they are cut ({@link Normalised}).
 */
final class Preparer {
  private final Views.Config views;
  private final long maxPixels;
  private final float[] mean;
  private final float[] std;
  private final MemoryPool memory;

  Preparer(Views.Config views, long maxPixels, float[] mean, float[] std) {
    this(views, maxPixels, mean, std, MemoryBudget.HEAP);
  }

  Preparer(
      Views.Config views, long maxPixels, float[] mean, float[] std, MemoryBudget memory) {
    this.views = views;
    this.maxPixels = maxPixels;
    this.mean = mean.clone();
    this.std = std.clone();
    this.memory = new MemoryPool(memory);
  }

  /**
   * A decoded and resized image with its view boxes.
   *
   * @param width decoded width
   * @param height decoded height
   * @param normalised prepared pixels, read CLIP-normalised; the frame of {@code boxes}
   */
  record Prepared(int width, int height, Normalised normalised, List<ViewBox> boxes) {}

  /**
   * Prepares one input; every failure is an {@link ImageException} naming the input. An encoded
   * image's memory is reserved, on its header, until it is prepared.
   */
  Prepared prepare(ImageInput input) throws ImageException {
    MemoryPool.Reservation[] held = new MemoryPool.Reservation[1];
    try {
      return prepare(input, held);
    } finally {
      if (held[0] != null) {
        held[0].close();
      }
    }
  }

  private Prepared prepare(ImageInput input, MemoryPool.Reservation[] held)
      throws ImageException {
    String name = input.name();
    RgbImage image;
    if (input.source() instanceof Inputs.Encoded encoded) {
      ImageDecoder.SizeCheck decoded = ImageDecoder.pixelLimit(name, maxPixels);
      image =
          encoded.decode(
              h -> {
                decoded.check(h);
                checkPrepared(name, h.width(), h.height());
                long need = MemoryBudget.need(h, views);
                held[0] = memory.reserve(name, h.width(), h.height(), need);
              });
    } else {
      image = input.decode(maxPixels);
      checkPrepared(name, image.width(), image.height());
    }
    Views.Frame frame = Views.preparedSize(image.width(), image.height(), views);
    RgbImage resized = resize(image, (int) frame.width(), (int) frame.height());
    List<ViewBox> boxes = Views.viewBoxes(resized.width(), resized.height(), views);
    return new Prepared(
        image.width(), image.height(), new Normalised(resized, mean, std), boxes);
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
   * size), then one antialiased bicubic resize to the prepared size on floats, clamped to [0,
   * 1]. An image already at the prepared size is returned as it is.
   */
  RgbImage resize(RgbImage image, int width, int height) {
    if (views.preResize().isPresent()) {
      ScorerOptions.Size size = views.preResize().get();
      image = preResize8bit(image, size.width(), size.height());
    }
    if (image.width() == width && image.height() == height) {
      return image;
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
    int plane = width * height;
    return RgbImage.ofBytes(
        width, height, resized, 8, 0, 1, width, new int[] {0, plane, 2 * plane});
  }
}
