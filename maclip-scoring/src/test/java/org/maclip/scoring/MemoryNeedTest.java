package org.maclip.scoring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.twelvemonkeys.imageio.color.ColorSpaces;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageOutputStream;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link MemoryBudget#need} is an upper bound: for every layout the decoder produces, the
 * image-sized buffers (1 MiB or more) this thread allocates to decode and prepare an image, all
 * counted as if they were alive at once, stay within what the formula says from the header. The
 * allocations are JFR's events for objects allocated outside a thread's buffer or starting a new
 * one: every buffer of that size is one of them. Rows, inflaters and lookup tables are smaller
 * and short-lived or of a fixed size; the thread's whole count (ThreadMXBean), printed beside,
 * also holds the rows that the JDK's PNG and JPEG readers copy through new arrays, garbage as
 * large as the image. Each layout is written twice: as noise (the largest file) and as smooth
 * ramps (a small file: the formula's file term cannot hide a shortfall). Before the formula
 * counted 32-bit samples as 4 bytes, 16-bit alpha as floats and the file once more, 8-bit
 * RGBA, 16-bit gray with alpha, 16-bit RGBA and both 32-bit TIFFs failed here; before the
 * decoder read a 4-component JPEG's samples itself, the reader's converted copy made that JPEG
 * fail (11 B/px against 7.6).
 */
class MemoryNeedTest {
  private static final int W = 2400;
  private static final int H = 1800;
  /**
   * The smallest allocation counted as an image's buffer: rows, inflaters and tables are
   * smaller, short-lived or of a fixed size.
   */
  private static final long LARGE = 1L << 20;

  /** Samples of noise (the largest file) or of smooth ramps (a small file, the same pixels). */
  enum Fill {
    NOISE,
    SMOOTH;

    int sample(Random random, int x, int y, int band, int max) {
      return this == NOISE ? random.nextInt(max + 1) : ((x + 2 * y) * (band + 1)) & max;
    }
  }

  static Stream<Arguments> layouts() throws IOException {
    Stream.Builder<Arguments> all = Stream.builder();
    for (Fill fill : Fill.values()) {
      for (Arguments layout : layouts(fill)) {
        Object[] named = layout.get();
        all.add(Arguments.of(named[0] + ", " + fill.name().toLowerCase(Locale.ROOT),
            named[1]));
      }
    }
    return all.build();
  }

  private static List<Arguments> layouts(Fill fill) throws IOException {
    return List.of(
        Arguments.of("8-bit gray", png(image(BufferedImage.TYPE_BYTE_GRAY, fill))),
        Arguments.of("8-bit RGB", png(image(BufferedImage.TYPE_3BYTE_BGR, fill))),
        Arguments.of("8-bit RGBA", png(image(BufferedImage.TYPE_4BYTE_ABGR, fill))),
        Arguments.of("8-bit palette", png(palette(fill))),
        Arguments.of("16-bit gray", png(image(BufferedImage.TYPE_USHORT_GRAY, fill))),
        Arguments.of("16-bit gray+alpha", png(deep(ColorSpace.CS_GRAY, true, fill))),
        Arguments.of("16-bit RGB", png(deep(ColorSpace.CS_sRGB, false, fill))),
        Arguments.of("16-bit RGBA", png(deep(ColorSpace.CS_sRGB, true, fill))),
        Arguments.of("8-bit RGB BMP", write(image(BufferedImage.TYPE_3BYTE_BGR, fill), "bmp")),
        Arguments.of("8-bit palette GIF", write(palette(fill), "gif")),
        Arguments.of("8-bit RGB JPEG", write(image(BufferedImage.TYPE_3BYTE_BGR, fill), "jpeg")),
        Arguments.of("8-bit CMYK TIFF", tiff(4, 8, 5, fill)),
        Arguments.of("8-bit CMYK JPEG", fourComponentJpeg(true, fill)),
        Arguments.of("8-bit 4-component JPEG, no Adobe marker", fourComponentJpeg(false, fill)),
        Arguments.of("32-bit float gray TIFF", tiff(1, 32, 1, fill)),
        Arguments.of("32-bit float RGB TIFF", tiff(3, 32, 2, fill)));
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
    Path events = Files.createTempFile("maclip-allocations", ".jfr");
    long allocated;
    Preparer.Prepared prepared;
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ObjectAllocationOutsideTLAB").withoutStackTrace();
      recording.enable("jdk.ObjectAllocationInNewTLAB").withoutStackTrace();
      recording.start();
      long before = threads.getCurrentThreadAllocatedBytes();
      prepared = preparer.prepare(ImageInput.of(layout, data));
      allocated = threads.getCurrentThreadAllocatedBytes() - before;
      recording.stop();
      recording.dump(events);
    }
    long large = 0;
    try {
      for (RecordedEvent event : RecordingFile.readAllEvents(events)) {
        long size = event.getLong("allocationSize");
        if (event.getThread().getJavaThreadId() == Thread.currentThread().getId()
            && size >= LARGE) {
          large += size;
        }
      }
    } finally {
      Files.delete(events);
    }
    String figures = String.format(Locale.ROOT,
        "%s (%s): image-sized buffers %.2f B/px (all allocations, rows included, %.2f B/px);"
            + " the formula says %.2f B/px",
        layout, header[0], large / (double) (W * H), allocated / (double) (W * H),
        need / (double) (W * H));
    System.out.println(figures);
    assertTrue(large >= (long) W * H, "the recording missed the image's own buffers: " + figures);
    assertTrue(large <= need, figures);
    assertTrue(prepared.width() == W, figures);
  }

  private static BufferedImage image(int type, Fill fill) {
    BufferedImage image = new BufferedImage(W, H, type);
    fill(image.getRaster(), (1 << image.getColorModel().getComponentSize(0)) - 1, fill);
    return image;
  }

  private static BufferedImage deep(int space, boolean alpha, Fill fill) {
    ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(space), alpha,
        false, alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
    WritableRaster raster = model.createCompatibleWritableRaster(W, H);
    fill(raster, 65535, fill);
    return new BufferedImage(model, raster, false, null);
  }

  private static BufferedImage palette(Fill fill) {
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
    fill(image.getRaster(), 255, fill);
    return image;
  }

  /** Every sample of {@code raster} from {@code fill}, at most {@code max}. */
  private static void fill(WritableRaster raster, int max, Fill fill) {
    Random random = new Random(7);
    int bands = raster.getNumBands();
    int[] row = new int[W * bands];
    for (int y = 0; y < H; y++) {
      for (int i = 0; i < row.length; i++) {
        row[i] = fill.sample(random, i / bands, y, i % bands, max);
      }
      raster.setPixels(0, y, W, 1, row);
    }
  }

  /**
   * An uncompressed TIFF in one strip, written here (Java's TIFF writers do not write floats or
   * CMYK): {@code bits} 8 (unsigned) or 32 (float) per sample, {@code photometric} 1 gray, 2 RGB
   * or 5 CMYK.
   */
  private static byte[] tiff(int samples, int bits, int photometric, Fill fill) {
    int entries = 10;
    int ifd = 8;
    int extra = ifd + 2 + entries * 12 + 4; // BitsPerSample and SampleFormat lists
    int pixelsAt = extra + (samples > 1 ? 2 * 2 * samples : 0);
    int bytes = W * H * samples * bits / 8;
    int format = bits == 32 ? 3 : 1; // SampleFormat: float or unsigned
    ByteBuffer out = ByteBuffer.allocate(pixelsAt + bytes)
        .order(ByteOrder.LITTLE_ENDIAN);
    out.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(ifd);
    out.putShort((short) entries);
    tag(out, 256, 4, 1, W); // ImageWidth
    tag(out, 257, 4, 1, H); // ImageLength
    tag(out, 258, 3, samples, samples > 1 ? extra : bits); // BitsPerSample
    tag(out, 259, 3, 1, 1); // no compression
    tag(out, 262, 3, 1, photometric);
    tag(out, 273, 4, 1, pixelsAt); // StripOffsets
    tag(out, 277, 3, 1, samples); // SamplesPerPixel
    tag(out, 278, 4, 1, H); // RowsPerStrip
    tag(out, 279, 4, 1, bytes); // StripByteCounts
    tag(out, 339, 3, samples, samples > 1 ? extra + 2 * samples : format); // SampleFormat
    out.putInt(0);
    if (samples > 1) {
      for (int i = 0; i < samples; i++) {
        out.putShort((short) bits);
      }
      for (int i = 0; i < samples; i++) {
        out.putShort((short) format);
      }
    }
    Random random = new Random(5);
    for (int y = 0; y < H; y++) {
      for (int i = 0; i < W * samples; i++) {
        int v = fill.sample(random, i / samples, y, i % samples, 255);
        if (bits == 32) {
          out.putFloat(v / 255f);
        } else {
          out.put((byte) v);
        }
      }
    }
    return out.array();
  }

  /**
   * A baseline JPEG of four components: CMYK with Adobe's marker, as Photoshop and Pillow write
   * it, or without the marker (readers take it for RGB and alpha).
   */
  private static byte[] fourComponentJpeg(boolean adobe, Fill fill) throws IOException {
    WritableRaster raster = Raster.createInterleavedRaster(
        DataBuffer.TYPE_BYTE, W, H, 4, null);
    fill(raster, 255, fill);
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageTypeSpecifier cmyk = ImageTypeSpecifier.createInterleaved(
        ColorSpaces.getColorSpace(ColorSpaces.CS_GENERIC_CMYK), new int[] {0, 1, 2, 3},
        DataBuffer.TYPE_BYTE, false, false);
    IIOMetadata metadata = adobe ? writer.getDefaultImageMetadata(cmyk, null) : null;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(stream);
      writer.write(null, new IIOImage(raster, null, metadata), null);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  /** One IFD entry: a SHORT (type 3) or LONG (4) value, or the offset of a list. */
  private static void tag(ByteBuffer out, int tag, int type, int count, int value) {
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
