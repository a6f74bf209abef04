package org.maclip.scoring;

/**
 * The memory an image may use while it is decoded and prepared, and what an image will need,
 * known from its header before any pixel is decoded; the images prepared at once by a scorer's
 * threads reserve their need against it together ({@link MemoryPool}). The need is an upper bound
 * (checked against the bytes decoding and preparing allocate, garbage included, for every layout
 * the decoder produces: {@code MemoryNeedTest}): the decoder's raster (every band the file has,
 * at its sample depth: 1, 2 or 4 bytes) plus one copy of three channels (bytes or shorts; 3
 * bytes a pixel for 32-bit samples, which Java's conversion takes to 8 bits; floats, 12 bytes a
 * pixel, for 16-bit samples with alpha, composited as the reference does), the reader's passes
 * over the encoded file ({@link #need(ImageDecoder.Header, Views.Config)}), and, for an image
 * resized before cutting, the float copies the resize makes. The views themselves live in the
 * encoder's batch, bounded by the batch size, and are not counted.
 *
 * @param bytes bytes an image may use; 0 for the JVM heap's headroom at the time of the check
 *     (its maximum less what is in use)
 * @param holder what holds the memory, named in a refusal ("the JVM heap", "the function")
 * @param setting how the user gives it more where the refusal is read (a JVM flag, a property,
 *     an ImageJ menu)
 */
public record MemoryBudget(long bytes, String holder, String setting) {
  /** The library's default: the JVM heap's headroom, raised with -Xmx. */
  public static final MemoryBudget HEAP =
      new MemoryBudget(0, "the JVM heap", "raise its maximum with -Xmx");

  private static final long MB = 1024 * 1024;

  public MemoryBudget {
    if (bytes < 0) {
      throw new IllegalArgumentException("memory budget must be 0 (heap) or positive: " + bytes);
    }
    if (holder == null || holder.isBlank() || setting == null || setting.isBlank()) {
      throw new IllegalArgumentException("the memory budget needs a holder and a setting");
    }
  }

  /**
   * Bytes an image needs to be decoded and prepared for its views, from its header.
   *
   * @param bands samples per pixel the decoder produces (1 gray ... 4 CMYK or RGBA; 2 and 4 are
   *     counted as having alpha)
   * @param bitsPerSample the file's sample depth (up to 8 bits takes 1 byte a sample, up to 16
   *     bits 2, more 4)
   */
  public static long need(int width, int height, int bands, int bitsPerSample, Views.Config views) {
    long pixels = (long) width * height;
    int sample = bitsPerSample <= 8 ? 1 : bitsPerSample <= 16 ? 2 : 4;
    int samples = Math.max(bands, 1);
    boolean alpha = samples == 2 || samples == 4;
    int copy = sample == 4 ? 3 : alpha && sample == 2 ? 12 : 3 * sample;
    long need = pixels * ((long) sample * samples + copy);
    Views.Frame frame = Views.preparedSize(width, height, views);
    if (views.preResize().isPresent() || frame.width() != width || frame.height() != height) {
      // planar floats of the decoded image, the resize's first pass and its result
      need += 12L * pixels + 24L * Math.max(frame.pixels(), pixels);
    }
    return need;
  }

  /** The most this budget can ever hold: its bytes, or the JVM heap's maximum. */
  public long ceiling() {
    return bytes > 0 ? bytes : Runtime.getRuntime().maxMemory();
  }

  /**
   * Bytes an image needs, from its header: its pixels' ({@link #need(int, int, int, int,
   * Views.Config)}) and its encoded file's size once more, for the reader's passes over it (a
   * PNG reader's inflated chunks: as large as the file for noise, which does not compress).
   */
  public static long need(ImageDecoder.Header header, Views.Config views) {
    return need(header.width(), header.height(), header.bands(), header.bits(), views)
        + header.encodedBytes();
  }

  /** Bytes available now. */
  public long available() {
    if (bytes > 0) {
      return bytes;
    }
    Runtime runtime = Runtime.getRuntime();
    return runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
  }

  /**
   * Refuses an image of {@code need} bytes that this budget cannot hold, before decoding: "W x H
   * needs N MB to decode and prepare, HOLDER has M MB free; SETTING".
   */
  public void check(String name, int width, int height, long need) throws ImageException {
    long available = available();
    if (need > available && bytes == 0) {
      System.gc(); // garbage of earlier images counts as used until collected
      available = available();
    }
    if (need > available) {
      throw new ImageException(
          name,
          width + "x" + height + " needs " + toMb(need) + " MB to decode and prepare, "
              + holder + " has " + toMb(available) + " MB free; " + setting);
    }
  }

  private static long toMb(long bytes) {
    return (bytes + MB - 1) / MB;
  }
}
