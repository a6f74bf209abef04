package org.maclip.scoring;

/**
 * The three resampling kernels the reference uses, on planar images ({@code plane[c][y][x]}
 * flattened as {@code c * h * w + y * w + x}), each reproducing its library's arithmetic:
 *
 * <ul>
 *   <li>{@link #bilinear}: torch's {@code F.interpolate(mode="bilinear", align_corners=False)}
 *       without antialias (the global view);
 *   <li>{@link #bicubicAntialias}: torch's {@code F.interpolate(mode="bicubic", antialias=True)}
 *       on floats (the min-side upscale and the max-side cap), float32 weights as torch computes
 *       them for a float tensor;
 *   <li>{@link #pilBicubic}: Pillow's 8-bit {@code Image.resize(..., BICUBIC)} (the paper's
 *       pre-resize), with its 22-bit fixed-point coefficients.
 * </ul>
 */
public final class Resize {
  /** Pillow's fixed-point precision for 8-bit resampling: 32 − 8 − 2 bits. */
  private static final int PRECISION_BITS = 22;

  /** Keys' cubic coefficient used by Pillow and by torch's antialiased bicubic. */
  private static final double CUBIC_A = -0.5;

  private Resize() {}

  /**
   * The input taps of each output index along one axis: output {@code i} reads {@code count[i]}
   * inputs from {@code start[i]} with weights {@code weights[i * stride + j]}.
   */
  record Taps(int[] start, int[] count, double[] weights, int stride) {
    int outSize() {
      return start.length;
    }
  }

  // ---- torch, bilinear, align_corners=False, no antialias -------------------------------------

  /**
   * torch's bilinear resize of each channel to {@code outW × outH} ({@code align_corners=False},
   * no antialias), in float32 as torch computes it.
   */
  public static float[] bilinear(float[] src, int channels, int inW, int inH, int outW, int outH) {
    float[] dst = new float[channels * outW * outH];
    bilinearInto(
        (c, x, y) -> src[(c * inH + y) * inW + x], channels, inW, inH, outW, outH, dst, 0);
    return dst;
  }

  /** Channel {@code c}'s value at {@code (x, y)} of an image being resized. */
  @FunctionalInterface
  interface Source {
    float at(int c, int x, int y);
  }

  /**
   * {@link #bilinear} of the values {@code src} gives, written into {@code dst} from {@code
   * offset} (a slot of a batch buffer): only the pixels the output reads are asked for.
   */
  static void bilinearInto(
      Source src, int channels, int inW, int inH, int outW, int outH, float[] dst, int offset) {
    LinearTaps rows = LinearTaps.of(inH, outH);
    LinearTaps cols = LinearTaps.of(inW, outW);
    for (int c = 0; c < channels; c++) {
      int out = offset + c * outW * outH;
      for (int y = 0; y < outH; y++) {
        int row0 = rows.index0[y];
        int row1 = rows.index1[y];
        for (int x = 0; x < outW; x++) {
          int col0 = cols.index0[x];
          int col1 = cols.index1[x];
          float t0 = src.at(c, col0, row0) * cols.lambda0[x]
              + src.at(c, col1, row0) * cols.lambda1[x];
          float t1 = src.at(c, col0, row1) * cols.lambda0[x]
              + src.at(c, col1, row1) * cols.lambda1[x];
          dst[out + y * outW + x] = t0 * rows.lambda0[y] + t1 * rows.lambda1[y];
        }
      }
    }
  }

  /** torch's {@code compute_source_index_and_lambda} along one axis, in float32. */
  private record LinearTaps(int[] index0, int[] index1, float[] lambda0, float[] lambda1) {
    static LinearTaps of(int in, int out) {
      int[] i0 = new int[out];
      int[] i1 = new int[out];
      float[] l0 = new float[out];
      float[] l1 = new float[out];
      float scale = (float) in / out;
      for (int i = 0; i < out; i++) {
        if (in == out) {
          i0[i] = i;
          i1[i] = i;
          l0[i] = 1f;
          continue;
        }
        float real = scale * (i + 0.5f) - 0.5f;
        if (real < 0) {
          real = 0f;
        }
        int index = Math.min((int) Math.floor(real), in - 1);
        float lambda = Math.min(Math.max(real - index, 0f), 1f);
        i0[i] = index;
        i1[i] = index + (index < in - 1 ? 1 : 0);
        l1[i] = lambda;
        l0[i] = 1f - lambda;
      }
      return new LinearTaps(i0, i1, l0, l1);
    }
  }

  // ---- torch, bicubic, antialias=True, float ---------------------------------------------------

  /**
   * torch's antialiased bicubic resize of each channel (a = −0.5, support widened by the scale
   * when shrinking, weights normalised), width first then height as torch does. Values are not
   * clamped; the reference clamps to [0, 1] afterwards ({@link #clamp01}).
   */
  public static float[] bicubicAntialias(
      float[] src, int channels, int inW, int inH, int outW, int outH) {
    float[] out = src;
    int w = inW;
    if (outW != inW) {
      out = horizontal(out, channels, w, inH, torchTaps(inW, outW));
      w = outW;
    }
    if (outH != inH) {
      out = vertical(out, channels, w, inH, torchTaps(inH, outH));
    }
    return out == src ? src.clone() : out;
  }

  /** Clamps every value into [0, 1] in place and returns the array. */
  public static float[] clamp01(float[] values) {
    for (int i = 0; i < values.length; i++) {
      values[i] = Math.min(Math.max(values[i], 0f), 1f);
    }
    return values;
  }

  /**
   * torch's {@code _compute_index_ranges_weights} (antialias, align_corners=False, no scale
   * factor) for a float tensor: every intermediate rounded to float32 where torch's is.
   */
  static Taps torchTaps(int in, int out) {
    float scale = (float) in / out;
    float support = scale >= 1f ? 2f * scale : 2f;
    int stride = (int) Math.ceil(support) * 2 + 1;
    float invScale = scale >= 1f ? (float) (1.0 / scale) : 1f;
    int[] start = new int[out];
    int[] count = new int[out];
    double[] weights = new double[out * stride];
    float[] w = new float[stride];
    for (int i = 0; i < out; i++) {
      float center = (float) (scale * (i + 0.5));
      int min = (int) Math.max((long) ((double) (center - support) + 0.5), 0L);
      long end = Math.min((long) ((double) (center + support) + 0.5), in);
      int size = (int) Math.min(Math.max(end - min, 0L), stride);
      float total = 0f;
      for (int j = 0; j < size; j++) {
        float x = (float) (((double) ((float) (j + min) - center) + 0.5) * invScale);
        w[j] = torchCubic(x);
        total += w[j];
      }
      for (int j = 0; j < size; j++) {
        weights[i * stride + j] = total != 0f ? w[j] / total : w[j];
      }
      start[i] = min;
      count[i] = size;
    }
    return new Taps(start, count, weights, stride);
  }

  /** torch's {@code HelperInterpCubic::aa_filter<float>} (a = −0.5), in float32. */
  static float torchCubic(float x) {
    final float a = (float) CUBIC_A;
    x = Math.abs(x);
    if (x < 1f) {
      return ((a + 2f) * x - (a + 3f)) * x * x + 1f;
    }
    if (x < 2f) {
      return ((a * x - 5f * a) * x + 8f * a) * x - 4f * a;
    }
    return 0f;
  }

  private static float[] horizontal(float[] src, int channels, int inW, int h, Taps taps) {
    float[] dst = new float[channels * taps.outSize() * h];
    eachHorizontal(
        channels * h, inW, taps, (d, f, s, i) -> dst[d] = dotFloat(src, f, s, taps, i));
    return dst;
  }

  private static float[] vertical(float[] src, int channels, int w, int inH, Taps taps) {
    float[] dst = new float[channels * w * taps.outSize()];
    eachVertical(
        channels, w, inH, taps, (d, f, s, i) -> dst[d] = dotFloat(src, f, s, taps, i));
    return dst;
  }

  /** Computes one output value from the taps of output index {@code i}. */
  @FunctionalInterface
  private interface Tap {
    void put(int dst, int first, int step, int i);
  }

  /** Visits every output of a horizontal pass: {@code rows} rows of {@code inW} inputs. */
  private static void eachHorizontal(int rows, int inW, Taps taps, Tap tap) {
    int outW = taps.outSize();
    for (int row = 0; row < rows; row++) {
      for (int x = 0; x < outW; x++) {
        tap.put(row * outW + x, row * inW + taps.start[x], 1, x);
      }
    }
  }

  /** Visits every output of a vertical pass over {@code channels} planes {@code w} wide. */
  private static void eachVertical(int channels, int w, int inH, Taps taps, Tap tap) {
    int outH = taps.outSize();
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < outH; y++) {
        int in = c * inH * w + taps.start[y] * w;
        int out = (c * outH + y) * w;
        for (int x = 0; x < w; x++) {
          tap.put(out + x, in + x, w, y);
        }
      }
    }
  }

  /** torch's {@code interpolate_separable_1d}: a float32 sum of taps times weights. */
  private static float dotFloat(float[] src, int first, int step, Taps taps, int i) {
    int base = i * taps.stride;
    float sum = src[first] * (float) taps.weights[base];
    for (int j = 1; j < taps.count[i]; j++) {
      sum += src[first + j * step] * (float) taps.weights[base + j];
    }
    return sum;
  }

  // ---- Pillow, BICUBIC, 8 bits -----------------------------------------------------------------

  /**
   * Pillow's {@code Image.resize(size, Image.BICUBIC)} of an 8-bit planar image (unsigned bytes):
   * double-precision weights rounded to 22-bit fixed point, two passes, each rounding and clipping
   * to 8 bits as Pillow does. The order of the passes changes the result (the first pass is
   * clipped to 8 bits before the second reads it) and is Pillow's ({@link #pilVerticalFirst}).
   */
  public static byte[] pilBicubic(byte[] src, int channels, int inW, int inH, int outW, int outH) {
    byte[] out = src;
    if (pilVerticalFirst(inW, inH, outW, outH)) {
      out = vertical8(out, channels, inW, inH, pilTaps(inH, outH));
      if (outW != inW) {
        out = horizontal8(out, channels, inW, outH, pilTaps(inW, outW));
      }
      return out;
    }
    int w = inW;
    if (outW != inW) {
      out = horizontal8(out, channels, inW, inH, pilTaps(inW, outW));
      w = outW;
    }
    if (outH != inH) {
      out = vertical8(out, channels, w, inH, pilTaps(inH, outH));
    }
    return out == src ? src.clone() : out;
  }

  /**
   * Pillow's choice of pass order (13.0 on, {@code ImagingResampleInner}): the vertical pass
   * comes first when the height shrinks by more than twice as many pixels as the width does;
   * otherwise the horizontal pass does.
   */
  static boolean pilVerticalFirst(int inW, int inH, int outW, int outH) {
    int shrinkH = inH - outH;
    return shrinkH > 0 && shrinkH > (inW - outW) * 2;
  }

  /** Pillow's {@code precompute_coeffs} for the bicubic filter (support 2). */
  static Taps pilTaps(int in, int out) {
    double scale = (double) in / out;
    double filterScale = Math.max(scale, 1.0);
    double support = 2.0 * filterScale;
    int stride = (int) Math.ceil(support) * 2 + 1;
    int[] start = new int[out];
    int[] count = new int[out];
    double[] weights = new double[out * stride];
    for (int i = 0; i < out; i++) {
      double center = (i + 0.5) * scale;
      double ss = 1.0 / filterScale;
      int min = Math.max((int) (center - support + 0.5), 0);
      int size = Math.min((int) (center + support + 0.5), in) - min;
      double total = 0.0;
      for (int j = 0; j < size; j++) {
        double w = pilCubic((j + min - center + 0.5) * ss);
        weights[i * stride + j] = w;
        total += w;
      }
      for (int j = 0; j < size && total != 0.0; j++) {
        weights[i * stride + j] /= total;
      }
      start[i] = min;
      count[i] = size;
    }
    return new Taps(start, count, weights, stride);
  }

  /** Pillow's {@code bicubic_filter} (a = −0.5), in double. */
  static double pilCubic(double x) {
    x = Math.abs(x);
    if (x < 1.0) {
      return ((CUBIC_A + 2.0) * x - (CUBIC_A + 3.0)) * x * x + 1;
    }
    if (x < 2.0) {
      return (((x - 5) * x + 8) * x - 4) * CUBIC_A;
    }
    return 0.0;
  }

  /** Pillow's {@code normalize_coeffs_8bpc}: weights to 22-bit fixed point, rounded away from 0. */
  static int[] fixedPoint(Taps taps) {
    int[] k = new int[taps.weights.length];
    double one = 1 << PRECISION_BITS;
    for (int i = 0; i < k.length; i++) {
      double w = taps.weights[i];
      k[i] = (int) (w < 0 ? -0.5 + w * one : 0.5 + w * one);
    }
    return k;
  }

  private static byte[] horizontal8(byte[] src, int channels, int inW, int h, Taps taps) {
    int[] k = fixedPoint(taps);
    byte[] dst = new byte[channels * taps.outSize() * h];
    eachHorizontal(
        channels * h, inW, taps, (d, f, s, i) -> dst[d] = dotFixed(src, f, s, taps, k, i));
    return dst;
  }

  private static byte[] vertical8(byte[] src, int channels, int w, int inH, Taps taps) {
    int[] k = fixedPoint(taps);
    byte[] dst = new byte[channels * w * taps.outSize()];
    eachVertical(
        channels, w, inH, taps, (d, f, s, i) -> dst[d] = dotFixed(src, f, s, taps, k, i));
    return dst;
  }

  /**
   * Pillow's 8-bit convolution: start at one half ({@code 1 << 21}), add pixel times coefficient
   * in int, then {@code clip8}: drop the fraction bits (an arithmetic shift, so a floor) and clip.
   */
  private static byte dotFixed(byte[] src, int first, int step, Taps taps, int[] k, int i) {
    int base = i * taps.stride;
    int sum = 1 << (PRECISION_BITS - 1);
    for (int j = 0; j < taps.count[i]; j++) {
      sum += (src[first + j * step] & 0xff) * k[base + j];
    }
    return (byte) Math.min(Math.max(sum >> PRECISION_BITS, 0), 255);
  }
}
