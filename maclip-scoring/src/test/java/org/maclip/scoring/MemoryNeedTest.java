package org.maclip.scoring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link MemoryBudget#need} is an upper bound: for every layout the decoder produces, the bytes
 * this thread allocates to decode and prepare an image (ThreadMXBean's count: live and garbage
 * alike, so more than the peak it must bound) stay within what the formula says from the
 * header, plus a fixed allowance for the readers' own buffers. The images are noise, which does
 * not compress: the encoded file is as large as it can be. Before the formula counted 32-bit
 * samples as 4 bytes, 16-bit alpha as floats and the file once more, 8-bit RGBA, 16-bit gray
 * with alpha, 16-bit RGBA and both 32-bit TIFFs failed here.
 */
class MemoryNeedTest {
  private static final int W = 1200;
  private static final int H = 900;
  /** The readers' fixed buffers (rows, inflater, tables): at most this much whatever the size. */
  private static final long FIXED = 2L << 20;

  static Stream<Arguments> layouts() throws IOException {
    return Stream.of(
        Arguments.of("8-bit gray", png(image(BufferedImage.TYPE_BYTE_GRAY))),
        Arguments.of("8-bit RGB", png(image(BufferedImage.TYPE_3BYTE_BGR))),
        Arguments.of("8-bit RGBA", png(image(BufferedImage.TYPE_4BYTE_ABGR))),
        Arguments.of("8-bit palette", png(palette())),
        Arguments.of("16-bit gray", png(image(BufferedImage.TYPE_USHORT_GRAY))),
        Arguments.of("16-bit gray+alpha", png(deep(ColorSpace.CS_GRAY, true))),
        Arguments.of("16-bit RGB", png(deep(ColorSpace.CS_sRGB, false))),
        Arguments.of("16-bit RGBA", png(deep(ColorSpace.CS_sRGB, true))),
        Arguments.of("8-bit RGB JPEG", write(image(BufferedImage.TYPE_3BYTE_BGR), "jpeg")),
        Arguments.of("32-bit float gray TIFF", floatTiff(1)),
        Arguments.of("32-bit float RGB TIFF", floatTiff(3)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("layouts")
  void theNeedBoundsWhatDecodingAndPreparingAllocate(String layout, byte[] data)
      throws Exception {
    Preparer preparer = new Preparer(Views.Config.paper(), Long.MAX_VALUE,
        new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f},
        new MemoryBudget(1L << 40, "the test", "none"));
    ImageDecoder.Header[] header = new ImageDecoder.Header[1];
    ImageDecoder.decode(layout, data, h -> header[0] = h); // warms the reader up too
    long need = MemoryBudget.need(header[0], Views.Config.paper());
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    Preparer.Prepared prepared = preparer.prepare(ImageInput.of(layout, data));
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    String figures = String.format(java.util.Locale.ROOT,
        "%s (%s): allocated %.2f B/px, the formula says %.2f B/px", layout, header[0],
        allocated / (double) (W * H), need / (double) (W * H));
    System.out.println(figures);
    assertTrue(allocated <= need + FIXED, figures);
    assertTrue(prepared.width() == W, figures);
  }

  private static BufferedImage image(int type) {
    BufferedImage image = new BufferedImage(W, H, type);
    Random random = new Random(7);
    WritableRaster raster = image.getRaster();
    int[] row = new int[W * raster.getNumBands()];
    int max = (1 << image.getColorModel().getComponentSize(0)) - 1;
    for (int y = 0; y < H; y++) {
      for (int i = 0; i < row.length; i++) {
        row[i] = random.nextInt(max + 1);
      }
      raster.setPixels(0, y, W, 1, row);
    }
    return image;
  }

  private static BufferedImage deep(int space, boolean alpha) {
    ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(space), alpha,
        false, alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
    WritableRaster raster = model.createCompatibleWritableRaster(W, H);
    Random random = new Random(11);
    int[] row = new int[W * raster.getNumBands()];
    for (int y = 0; y < H; y++) {
      for (int i = 0; i < row.length; i++) {
        row[i] = random.nextInt(65536);
      }
      raster.setPixels(0, y, W, 1, row);
    }
    return new BufferedImage(model, raster, false, null);
  }

  private static BufferedImage palette() {
    byte[] r = new byte[256];
    byte[] g = new byte[256];
    byte[] b = new byte[256];
    for (int i = 0; i < 256; i++) {
      r[i] = (byte) i;
      g[i] = (byte) (255 - i);
      b[i] = (byte) (i * 7);
    }
    BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_INDEXED,
        new IndexColorModel(8, 256, r, g, b));
    Random random = new Random(3);
    int[] row = new int[W];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        row[x] = random.nextInt(256);
      }
      image.getRaster().setPixels(0, y, W, 1, row);
    }
    return image;
  }

  /**
   * An uncompressed TIFF of random 32-bit float samples in one strip, written here (Java's TIFF
   * writers do not write floats).
   */
  private static byte[] floatTiff(int samples) {
    int entries = 10;
    int ifd = 8;
    int extra = ifd + 2 + entries * 12 + 4; // BitsPerSample and SampleFormat lists for RGB
    int pixelsAt = extra + (samples > 1 ? 2 * 2 * samples : 0);
    int bytes = W * H * samples * 4;
    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(pixelsAt + bytes)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    out.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(ifd);
    out.putShort((short) entries);
    tag(out, 256, 4, 1, W); // ImageWidth
    tag(out, 257, 4, 1, H); // ImageLength
    tag(out, 258, 3, samples, samples > 1 ? extra : 32); // BitsPerSample
    tag(out, 259, 3, 1, 1); // no compression
    tag(out, 262, 3, 1, samples > 1 ? 2 : 1); // RGB or BlackIsZero
    tag(out, 273, 4, 1, pixelsAt); // StripOffsets
    tag(out, 277, 3, 1, samples); // SamplesPerPixel
    tag(out, 278, 4, 1, H); // RowsPerStrip
    tag(out, 279, 4, 1, bytes); // StripByteCounts
    tag(out, 339, 3, samples, samples > 1 ? extra + 2 * samples : 3); // SampleFormat: float
    out.putInt(0);
    if (samples > 1) {
      for (int i = 0; i < samples; i++) {
        out.putShort((short) 32);
      }
      for (int i = 0; i < samples; i++) {
        out.putShort((short) 3);
      }
    }
    Random random = new Random(5);
    for (int i = 0; i < W * H * samples; i++) {
      out.putFloat(random.nextFloat());
    }
    return out.array();
  }

  /** One IFD entry: a SHORT (type 3) or LONG (4) value, or the offset of a list. */
  private static void tag(java.nio.ByteBuffer out, int tag, int type, int count, int value) {
    out.putShort((short) tag).putShort((short) type).putInt(count);
    if (type == 3 && count == 1) {
      out.putShort((short) value).putShort((short) 0);
    } else {
      out.putInt(value);
    }
  }

  private static byte[] png(BufferedImage image) throws IOException {
    return write(image, "png");
  }

  private static byte[] write(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, format, out), format + " of " + image);
    return out.toByteArray();
  }
}
