package org.maclip.scoring;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * A decoded {@link BufferedImage} as an {@link RgbImage}, with the reference's decisions ({@code
 * maclip.images.pil_to_tensor}): gray is repeated into three channels; 16-bit samples keep their
 * precision ({@code v / 65535}, the reference reads 16-bit PNG and TIFF at full depth); palettes
 * are looked up; 8-bit transparency is composited onto white with Pillow's {@code
 * alpha_composite} arithmetic; CMYK becomes RGB with Pillow's {@code cmyk2rgb}. Colour profiles
 * are ignored, as Pillow ignores them. Opaque gray and RGB rasters of 8 or 16 bits are used as
 * they are, without a copy; every other 8-bit image becomes 3 bytes a pixel, and only 16-bit
 * transparency, composited in float32 as the reference does, is held as floats.
 */
final class Pixels {
  private Pixels() {}

  /**
   * @param image decoded pixels
   * @param useAlpha false to ignore an alpha channel the decoder added on its own (a PNG whose
   *     colour type has no alpha, but a tRNS chunk: Pillow keeps such an image opaque)
   */
  static RgbImage toRgb(BufferedImage image, boolean useAlpha) {
    ColorModel model = image.getColorModel();
    Raster raster = image.getRaster();
    if (model instanceof IndexColorModel palette) {
      return fromPalette(raster, palette, useAlpha);
    }
    if (model instanceof ComponentColorModel && isInteger(raster)) {
      int type = model.getColorSpace().getType();
      boolean premultiplied8 =
          useAlpha
              && model.hasAlpha()
              && model.isAlphaPremultiplied()
              && model.getComponentSize(0) <= 8;
      if ((type == ColorSpace.TYPE_GRAY || type == ColorSpace.TYPE_RGB) && !premultiplied8) {
        boolean alpha = useAlpha && model.hasAlpha();
        RgbImage shared = alpha ? null : wrap(raster, model);
        return shared != null ? shared : fromComponents(raster, model, alpha);
      }
      if (type == ColorSpace.TYPE_CMYK && raster.getNumBands() == 4) {
        return fromCmyk(raster, model.getComponentSize(0), Ink.PLAIN);
      }
    }
    return fromArgb(image, useAlpha && model.hasAlpha());
  }

  private static boolean isInteger(Raster raster) {
    int type = raster.getDataBuffer().getDataType();
    return type == DataBuffer.TYPE_BYTE || type == DataBuffer.TYPE_USHORT;
  }

  /**
   * The raster's own samples as an image (no copy), or null when its layout is not one sample
   * per array element in a single bank.
   */
  private static RgbImage wrap(Raster raster, ColorModel model) {
    if (!(raster.getSampleModel() instanceof ComponentSampleModel layout)
        || raster.getDataBuffer().getNumBanks() != 1
        || raster.getParent() != null
        || raster.getMinX() != 0
        || raster.getMinY() != 0
        || raster.getSampleModelTranslateX() != 0
        || raster.getSampleModelTranslateY() != 0) {
      return null;
    }
    int colours = model.getNumColorComponents();
    int[] offsets = new int[3];
    for (int c = 0; c < 3; c++) {
      offsets[c] = layout.getBandOffsets()[colours == 1 ? 0 : c];
      if (layout.getBankIndices()[colours == 1 ? 0 : c] != 0) {
        return null;
      }
    }
    int w = raster.getWidth();
    int h = raster.getHeight();
    int bits = model.getComponentSize(0);
    int start = raster.getDataBuffer().getOffset();
    int pixelStride = layout.getPixelStride();
    int rowStride = layout.getScanlineStride();
    if (raster.getDataBuffer() instanceof DataBufferByte data) {
      return RgbImage.ofBytes(w, h, data.getData(), bits, start, pixelStride, rowStride, offsets);
    }
    if (raster.getDataBuffer() instanceof DataBufferUShort data) {
      return RgbImage.ofShorts(w, h, data.getData(), bits, start, pixelStride, rowStride, offsets);
    }
    return null;
  }

  /**
   * Gray or RGB samples, with or without alpha, 1 to 16 bits, read band by band. 8-bit alpha is
   * composited as Pillow does, into bytes; 16-bit alpha in float32 as the reference's 16-bit
   * path does ({@code c·a + 1 − a}, or {@code c + 1 − a} for premultiplied TIFF alpha), clipped
   * to [0, 1], into floats; opaque samples keep their depth.
   */
  private static RgbImage fromComponents(Raster raster, ColorModel model, boolean alpha) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    int plane = w * h;
    int colours = model.getNumColorComponents();
    int bands = raster.getNumBands();
    int bits = model.getComponentSize(0);
    int alphaBits = alpha ? model.getComponentSize(colours) : 0;
    boolean deep = bits > 8;
    boolean premultiplied = model.isAlphaPremultiplied();
    float[] scaled = scale(bits);
    float[] alphaScaled = alpha ? scale(alphaBits) : null;
    boolean floats = alpha && deep;
    float[] outF = floats ? new float[3 * plane] : null;
    short[] outS = !alpha && deep ? new short[3 * plane] : null;
    byte[] outB = !floats && outS == null ? new byte[3 * plane] : null;
    int[] row = new int[w * bands];
    for (int y = 0; y < h; y++) {
      raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
      for (int x = 0; x < w; x++) {
        int at = x * bands;
        for (int c = 0; c < 3; c++) {
          int v = row[at + (colours == 1 ? 0 : c)];
          int to = 3 * (y * w + x) + c;
          if (!alpha) {
            if (outS != null) {
              outS[to] = (short) v;
            } else {
              outB[to] = (byte) v;
            }
          } else if (deep) {
            float a = alphaScaled[row[at + colours]];
            float colour = premultiplied ? scaled[v] : scaled[v] * a;
            outF[c * plane + y * w + x] = Math.min(Math.max(colour + (1f - a), 0f), 1f);
          } else {
            outB[to] = (byte) overWhite(to8(v, bits), to8(row[at + colours], alphaBits));
          }
        }
      }
    }
    int[] rgb = {0, 1, 2};
    if (floats) {
      return new RgbImage(w, h, outF);
    }
    if (outS != null) {
      return RgbImage.ofShorts(w, h, outS, bits, 0, 3, 3 * w, rgb);
    }
    return RgbImage.ofBytes(w, h, outB, alpha ? 8 : bits, 0, 3, 3 * w, rgb);
  }

  /** {@code v / (2^bits − 1)} in float32 for every sample value {@code v}. */
  private static float[] scale(int bits) {
    return RgbImage.scale(bits, 1 << bits);
  }

  /** A sample as Pillow's 8-bit modes hold it: the high byte of 16-bit samples. */
  private static int to8(int value, int bits) {
    return bits > 8 ? value >> (bits - 8) : value * 255 / ((1 << bits) - 1);
  }

  private static RgbImage fromPalette(Raster raster, IndexColorModel palette, boolean useAlpha) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    int size = palette.getMapSize();
    int[] argb = new int[size];
    palette.getRGBs(argb);
    boolean alpha = useAlpha && palette.hasAlpha();
    byte[] out = new byte[3 * w * h];
    int[] index = new int[w];
    for (int y = 0; y < h; y++) {
      raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, index);
      for (int x = 0; x < w; x++) {
        put(out, y * w + x, argb[Math.min(index[x], size - 1)], alpha);
      }
    }
    return RgbImage.ofRgbBytes(w, h, out);
  }

  /** Any other image, through Java's own conversion to 8-bit sRGB ARGB. */
  private static RgbImage fromArgb(BufferedImage image, boolean alpha) {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] out = new byte[3 * w * h];
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        put(out, y * w + x, row[x], alpha);
      }
    }
    return RgbImage.ofRgbBytes(w, h, out);
  }

  /** Stores one 8-bit ARGB pixel, composited onto white when {@code alpha}. */
  private static void put(byte[] out, int i, int argb, boolean alpha) {
    int a = alpha ? argb >>> 24 : 255;
    for (int c = 0; c < 3; c++) {
      int v = argb >> (16 - 8 * c) & 0xff;
      out[3 * i + c] = (byte) overWhite(v, a);
    }
  }

  /**
   * Pillow's {@code ImagingAlphaComposite} of one 8-bit channel {@code value} with alpha
   * {@code a} over an opaque white background: with the background's alpha at 255 its
   * coefficients reduce to {@code a·128} and {@code (255 − a)·128} (7 fraction bits), and
   * {@code ((t >> 8) + t) >> 8} divides by 255 with rounding.
   */
  static int overWhite(int value, int a) {
    if (a == 0) {
      return 255;
    }
    final int precisionBits = 7;
    int coef1 = a * 255 * 255 * (1 << precisionBits) / (255 * 255);
    int coef2 = 255 * (1 << precisionBits) - coef1;
    int t = value * coef1 + 255 * coef2 + (0x80 << precisionBits);
    return (((t >> 8) + t) >> 8) >> precisionBits;
  }

  /**
   * A JPEG's four components, as the file stores them, read as Pillow reads every 4-component
   * JPEG: YCCK turned into CMYK as libjpeg does, then Adobe's inverted CMYK ({@code CMYK;I}),
   * then {@code cmyk2rgb}. An embedded colour profile is ignored, as Pillow ignores it (a reader
   * left to itself applies it).
   *
   * @param ycck true where Adobe's marker says the components are YCCK (transform 2)
   */
  static RgbImage fromJpegComponents(Raster raster, boolean ycck) {
    return fromCmyk(raster, 8, ycck ? Ink.YCCK : Ink.INVERTED);
  }

  /** How a raster stores its four inks. */
  private enum Ink {
    /** as they are (a CMYK TIFF) */
    PLAIN,
    /** {@code 255 − ink} (Adobe's convention) */
    INVERTED,
    /** Y, Cb, Cr of the inverted C, M, Y, and the inverted K (Adobe's transform 2) */
    YCCK
  }

  /** Pillow's {@code cmyk2rgb}: {@code 255 − k − c·(255 − k)/255}, rounded as MULDIV255. */
  private static RgbImage fromCmyk(Raster raster, int bits, Ink ink) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    byte[] out = new byte[3 * w * h];
    int[][] band = new int[4][w];
    for (int y = 0; y < h; y++) {
      for (int b = 0; b < 4; b++) {
        raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, b, band[b]);
      }
      if (ink == Ink.YCCK) {
        ycckToInks(band, w);
      } else if (ink == Ink.INVERTED) {
        for (int b = 0; b < 4; b++) {
          for (int x = 0; x < w; x++) {
            band[b][x] = 255 - band[b][x];
          }
        }
      }
      for (int x = 0; x < w; x++) {
        int nk = 255 - to8(band[3][x], bits);
        for (int c = 0; c < 3; c++) {
          int t = to8(band[c][x], bits) * nk + 128;
          int v = nk - (((t >> 8) + t) >> 8);
          out[3 * (y * w + x) + c] = (byte) Math.min(Math.max(v, 0), 255);
        }
      }
    }
    return RgbImage.ofRgbBytes(w, h, out);
  }

  private static final int SCALE = 16;
  private static final int HALF = 1 << (SCALE - 1);

  /** libjpeg's fixed-point constant: {@code x · 2^16}, rounded. */
  private static int fix(double x) {
    return (int) (x * (1 << SCALE) + 0.5);
  }

  /**
   * libjpeg's {@code ycck_cmyk_convert} (jdcolor.c) followed by Adobe's inversion, in place on
   * one row: Y, Cb, Cr become the C, M, Y inks with libjpeg's fixed-point tables (libjpeg stores
   * {@code 255 − ink}, which the inversion undoes), and the stored K becomes {@code 255 − K}.
   */
  private static void ycckToInks(int[][] band, int w) {
    for (int x = 0; x < w; x++) {
      int luma = band[0][x];
      int cb = band[1][x] - 128;
      int cr = band[2][x] - 128;
      int red = luma + ((fix(1.40200) * cr + HALF) >> SCALE);
      int green = luma + ((-fix(0.34414) * cb + HALF - fix(0.71414) * cr) >> SCALE);
      int blue = luma + ((fix(1.77200) * cb + HALF) >> SCALE);
      band[0][x] = Math.min(Math.max(red, 0), 255);
      band[1][x] = Math.min(Math.max(green, 0), 255);
      band[2][x] = Math.min(Math.max(blue, 0), 255);
      band[3][x] = 255 - band[3][x];
    }
  }
}
