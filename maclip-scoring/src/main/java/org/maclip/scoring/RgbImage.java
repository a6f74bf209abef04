package org.maclip.scoring;

import java.util.function.IntBinaryOperator;

/**
 * Decoded RGB pixels, values in [0, 1], held as compactly as their source allows: 8-bit sources
 * keep one byte per sample, 16-bit sources two, in whatever interleaved or planar layout the
 * decoder wrote them (often the decoder's own raster, so the pixels are never copied); a gray
 * image keeps one sample per pixel for its three channels. Only pixels given as floats, and
 * images resized on floats, hold four bytes per sample. A sample {@code v} stands for {@code
 * table[v]} ({@code v / (2^bits − 1)} in float32, or a gray plane's own mapping given to {@link
 * #ofGray}), so reading it gives exactly the float the reference computes; nothing is normalised
 * here, the views normalise what they cut.
 */
public final class RgbImage {
  private final int width;
  private final int height;
  private final byte[] bytes;
  private final short[] shorts;
  private final float[] floats;
  private final float[] table;
  private final int start;
  private final int pixelStride;
  private final int rowStride;
  private final int[] bandOffsets;

  /** The planar floats {@link #pixels} made for a compact image, kept for the next call. */
  private float[] planar;

  private RgbImage(
      int width,
      int height,
      byte[] bytes,
      short[] shorts,
      float[] floats,
      float[] table,
      int start,
      int pixelStride,
      int rowStride,
      int[] bandOffsets) {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("image has no pixels (" + width + "x" + height + ")");
    }
    this.width = width;
    this.height = height;
    this.bytes = bytes;
    this.shorts = shorts;
    this.floats = floats;
    this.table = table;
    this.start = start;
    this.pixelStride = pixelStride;
    this.rowStride = rowStride;
    this.bandOffsets = bandOffsets.clone();
    long last = start + (long) (height - 1) * rowStride + (long) (width - 1) * pixelStride;
    int length = bytes != null ? bytes.length : shorts != null ? shorts.length : floats.length;
    for (int offset : bandOffsets) {
      if (start < 0 || last + offset >= length) {
        throw new IllegalArgumentException(
            "the samples of a " + width + "x" + height + " image do not fit " + length + " values");
      }
    }
  }

  /**
   * Planar float pixels: {@code pixels[c * height * width + y * width + x]}, R plane, G plane,
   * B plane, values in [0, 1]. The array is used as it is, not copied.
   */
  public RgbImage(int width, int height, float[] pixels) {
    this(width, height, null, null, checkLength(width, height, pixels), null, 0, 1, width,
        new int[] {0, width * height, 2 * width * height});
  }

  private static float[] checkLength(int width, int height, float[] pixels) {
    if (pixels.length != 3L * width * height) {
      throw new IllegalArgumentException(
          "expected " + 3L * width * height + " values for " + width + "x" + height
              + ", got " + pixels.length);
    }
    return pixels;
  }

  /**
   * Unsigned 8-bit samples of {@code bits} significant bits laid out as a raster's: sample
   * {@code c} of pixel {@code (x, y)} is {@code data[start + y·rowStride + x·pixelStride +
   * bandOffsets[c]]}. Three equal offsets make a gray image.
   */
  static RgbImage ofBytes(
      int width, int height, byte[] data, int bits, int start, int pixelStride, int rowStride,
      int[] bandOffsets) {
    return new RgbImage(
        width, height, data, null, null, scale(bits, 256), start, pixelStride, rowStride,
        bandOffsets);
  }

  /** Unsigned 16-bit (or fewer {@code bits}) samples, laid out as {@link #ofBytes}. */
  static RgbImage ofShorts(
      int width, int height, short[] data, int bits, int start, int pixelStride, int rowStride,
      int[] bandOffsets) {
    return new RgbImage(
        width, height, null, data, null, scale(bits, 65536), start, pixelStride, rowStride,
        bandOffsets);
  }

  /** Interleaved 8-bit RGB: {@code data[3 · (y·width + x) + c]}. */
  public static RgbImage ofRgbBytes(int width, int height, byte[] data) {
    return ofBytes(width, height, data, 8, 0, 3, 3 * width, new int[] {0, 1, 2});
  }

  /**
   * A gray image of one unsigned 8-bit sample a pixel, row by row ({@code samples[y·width + x]}),
   * a sample {@code v} standing for {@code table[v]} (256 values in [0, 1]): a mapping of the
   * caller's, such as a plane's data range. The arrays are used as they are, not copied.
   */
  public static RgbImage ofGray(int width, int height, byte[] samples, float[] table) {
    return new RgbImage(
        width, height, samples, null, null, checkTable(table, 256), 0, 1, width, new int[3]);
  }

  /** {@link #ofGray(int, int, byte[], float[])} for unsigned 16-bit samples (65536 values). */
  public static RgbImage ofGray(int width, int height, short[] samples, float[] table) {
    return new RgbImage(
        width, height, null, samples, null, checkTable(table, 65536), 0, 1, width, new int[3]);
  }

  /** A gray image of one float value in [0, 1] a pixel, row by row; the array is not copied. */
  public static RgbImage ofGray(int width, int height, float[] values) {
    return new RgbImage(width, height, null, null, values, null, 0, 1, width, new int[3]);
  }

  private static float[] checkTable(float[] table, int size) {
    if (table.length != size) {
      throw new IllegalArgumentException(
          "a sample table needs " + size + " values, got " + table.length);
    }
    return table;
  }

  /**
   * {@code v / (2^bits − 1)} in float32 for every sample value {@code v} below {@code size}: the
   * value a {@code bits}-bit sample stands for (also {@link Pixels}' table for compositing).
   */
  static float[] scale(int bits, int size) {
    float max = (1 << bits) - 1;
    float[] values = new float[size];
    for (int v = 0; v < size; v++) {
      values[v] = v / max;
    }
    return values;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** Bytes held per pixel: 1 to 3 for 8-bit sources, up to 12 for floats. */
  public int bytesPerPixel() {
    return (gray() ? 1 : 3) * (bytes != null ? 1 : shorts != null ? 2 : 4);
  }

  /** True when the three channels read one sample. */
  private boolean gray() {
    return bandOffsets[0] == bandOffsets[1] && bandOffsets[1] == bandOffsets[2];
  }

  /** Channel {@code c}'s value at {@code (x, y)}, in [0, 1]. */
  public float value(int c, int x, int y) {
    int i = start + y * rowStride + x * pixelStride + bandOffsets[c];
    if (bytes != null) {
      return table[bytes[i] & 0xff];
    }
    return shorts != null ? table[shorts[i] & 0xffff] : floats[i];
  }

  /** {@code n} values of channel {@code c} from {@code (x, y)} rightwards into {@code dst}. */
  void row(int c, int x, int y, int n, float[] dst) {
    int i = start + y * rowStride + x * pixelStride + bandOffsets[c];
    if (bytes != null) {
      for (int k = 0; k < n; k++, i += pixelStride) {
        dst[k] = table[bytes[i] & 0xff];
      }
    } else if (shorts != null) {
      for (int k = 0; k < n; k++, i += pixelStride) {
        dst[k] = table[shorts[i] & 0xffff];
      }
    } else {
      for (int k = 0; k < n; k++, i += pixelStride) {
        dst[k] = floats[i];
      }
    }
  }

  /**
   * The pixels as planar floats ({@code pixels[c * height * width + y * width + x]}, values in
   * [0, 1]): the array itself for an image made of one, else an array of 12 bytes a pixel made
   * on the first call and kept as long as this image. Callers must not change it. Scoring never
   * calls this on an image it views at its decoded size.
   */
  public float[] pixels() {
    if (floats != null && pixelStride == 1 && rowStride == width && start == 0
        && bandOffsets[1] == width * height && bandOffsets[2] == 2 * width * height) {
      return floats;
    }
    if (planar == null) {
      planar = toPlanar();
    }
    return planar;
  }

  private float[] toPlanar() {
    float[] out = new float[3 * width * height];
    float[] line = new float[width];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < height; y++) {
        row(c, 0, y, width, line);
        System.arraycopy(line, 0, out, (c * height + y) * width, width);
      }
    }
    return out;
  }

  /**
   * A new {@code outWidth × outHeight} image, as compact as this one, whose pixel {@code (x, y)}
   * is this image's pixel {@code source.applyAsInt(x, y)} (an index {@code sy · width + sx}).
   */
  RgbImage remap(int outWidth, int outHeight, IntBinaryOperator source) {
    boolean gray = gray();
    int bands = gray ? 1 : 3;
    int[] offsets = gray ? new int[3] : new int[] {0, 1, 2};
    int n = bands * outWidth * outHeight;
    byte[] b = bytes != null ? new byte[n] : null;
    short[] s = shorts != null ? new short[n] : null;
    float[] f = bytes == null && shorts == null ? new float[n] : null;
    for (int y = 0; y < outHeight; y++) {
      for (int x = 0; x < outWidth; x++) {
        int from = source.applyAsInt(x, y);
        int base = start + from / width * rowStride + from % width * pixelStride;
        int to = (y * outWidth + x) * bands;
        for (int c = 0; c < bands; c++) {
          int i = base + bandOffsets[c];
          if (b != null) {
            b[to + c] = bytes[i];
          } else if (s != null) {
            s[to + c] = shorts[i];
          } else {
            f[to + c] = floats[i];
          }
        }
      }
    }
    return new RgbImage(outWidth, outHeight, b, s, f, table, 0, bands, bands * outWidth, offsets);
  }
}
