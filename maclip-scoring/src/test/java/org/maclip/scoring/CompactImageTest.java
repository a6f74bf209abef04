package org.maclip.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The compact image and the views normalised as they are cut, against the float path they
 * replace: the same values, bit for bit, in every layout the decoder gives (gray, RGB, alpha, 8
 * and 16 bits), portrait and landscape, and a memory refusal that comes before decoding.
 */
class CompactImageTest {
  private static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
  private static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

  private static BufferedImage random(int width, int height, int type, long seed) {
    BufferedImage image = new BufferedImage(width, height, type);
    WritableRaster raster = image.getRaster();
    Random random = new Random(seed);
    int max = raster.getSampleModel().getSampleSize(0) > 8 ? 65535 : 255;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        for (int b = 0; b < raster.getNumBands(); b++) {
          raster.setSample(x, y, b, random.nextInt(max + 1));
        }
      }
    }
    return image;
  }

  private static byte[] png(BufferedImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  /** The old float path: every sample as v / (2^bits − 1), planar. */
  private static float[] floats(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    var raster = image.getRaster();
    float max = raster.getSampleModel().getSampleSize(0) > 8 ? 65535f : 255f;
    float[] out = new float[3 * w * h];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int band = raster.getNumBands() < 3 ? 0 : c;
          out[(c * h + y) * w + x] = raster.getSample(x, y, band) / max;
        }
      }
    }
    return out;
  }

  @Test
  void opaqueRastersAreKeptAtTheirDepthWithTheSameValues() throws Exception {
    int[][] cases = {
      {BufferedImage.TYPE_3BYTE_BGR, 3},
      {BufferedImage.TYPE_BYTE_GRAY, 1},
      {BufferedImage.TYPE_USHORT_GRAY, 2},
    };
    for (int[] c : cases) {
      for (int[] size : new int[][] {{37, 23}, {23, 37}}) {
        BufferedImage image = random(size[0], size[1], c[0], c[0]);
        RgbImage direct = ImageDecoder.fromBufferedImage("direct", image);
        assertEquals(c[1], direct.bytesPerPixel(), "type " + c[0]);
        assertArrayEquals(floats(image), direct.pixels(), "type " + c[0]);
        RgbImage decoded = ImageDecoder.decode("x.png", png(image), Long.MAX_VALUE);
        assertArrayEquals(floats(image), decoded.pixels(), "decoded type " + c[0]);
      }
    }
  }

  @Test
  void alphaAndPalettesBecomeThreeBytesAPixel() throws Exception {
    BufferedImage rgba = random(21, 13, BufferedImage.TYPE_4BYTE_ABGR, 5);
    RgbImage decoded = ImageDecoder.decode("rgba.png", png(rgba), Long.MAX_VALUE);
    assertEquals(3, decoded.bytesPerPixel());
    float[] pixels = decoded.pixels();
    var raster = rgba.getRaster();
    for (int y = 0; y < 13; y++) {
      for (int x = 0; x < 21; x++) {
        int a = raster.getSample(x, y, 3);
        for (int c = 0; c < 3; c++) {
          float want = Pixels.overWhite(raster.getSample(x, y, c), a) / 255f;
          assertEquals(want, pixels[(c * 13 + y) * 21 + x], 0f);
        }
      }
    }
    BufferedImage indexed = random(9, 14, BufferedImage.TYPE_BYTE_INDEXED, 6);
    assertEquals(3, ImageDecoder.fromBufferedImage("i", indexed).bytesPerPixel());
  }

  @Test
  void orientationKeepsTheImageCompact() throws Exception {
    for (int[] size : new int[][] {{7, 4}, {4, 7}}) {
      BufferedImage image = random(size[0], size[1], BufferedImage.TYPE_3BYTE_BGR, 8);
      RgbImage compact = ImageDecoder.fromBufferedImage("o", image);
      RgbImage planar = new RgbImage(compact.width(), compact.height(), floats(image));
      for (int orientation = 1; orientation <= 8; orientation++) {
        RgbImage turned = Orientation.apply(compact, orientation);
        RgbImage expected = Orientation.apply(planar, orientation);
        assertEquals(3, turned.bytesPerPixel());
        assertEquals(expected.width(), turned.width());
        assertArrayEquals(expected.pixels(), turned.pixels(), "orientation " + orientation);
      }
    }
  }

  /** A gray plane with the caller's table (the plugin's data range) reads that table everywhere. */
  @Test
  void aGrayPlaneReadsItsOwnTableInEveryChannelAndOrientation() {
    float[] table8 = new float[256];
    float[] table16 = new float[65536];
    for (int v = 0; v < table16.length; v++) {
      table16[v] = (v % 1000) / 999f;
      if (v < 256) {
        table8[v] = 1f - v / 255f;
      }
    }
    for (int[] size : new int[][] {{5, 3}, {3, 5}}) {
      int n = size[0] * size[1];
      byte[] bytes = new byte[n];
      short[] shorts = new short[n];
      float[] floats = new float[n];
      float[] expected8 = new float[3 * n];
      float[] expected16 = new float[3 * n];
      float[] expected32 = new float[3 * n];
      for (int i = 0; i < n; i++) {
        bytes[i] = (byte) (37 * i);
        shorts[i] = (short) (4099 * i);
        floats[i] = i / (float) n;
        for (int c = 0; c < 3; c++) {
          expected8[c * n + i] = table8[bytes[i] & 0xff];
          expected16[c * n + i] = table16[shorts[i] & 0xffff];
          expected32[c * n + i] = floats[i];
        }
      }
      RgbImage[] images = {
        RgbImage.ofGray(size[0], size[1], bytes, table8),
        RgbImage.ofGray(size[0], size[1], shorts, table16),
        RgbImage.ofGray(size[0], size[1], floats),
      };
      float[][] expected = {expected8, expected16, expected32};
      for (int k = 0; k < 3; k++) {
        assertEquals(1 << k, images[k].bytesPerPixel());
        assertArrayEquals(expected[k], images[k].pixels());
        RgbImage turned = Orientation.apply(images[k], 6);
        assertEquals(1 << k, turned.bytesPerPixel());
        RgbImage planarTurned =
            Orientation.apply(new RgbImage(size[0], size[1], expected[k]), 6);
        assertArrayEquals(planarTurned.pixels(), turned.pixels());
      }
    }
    assertThrows(IllegalArgumentException.class,
        () -> RgbImage.ofGray(2, 1, new byte[2], new float[255]));
    assertThrows(IllegalArgumentException.class,
        () -> RgbImage.ofGray(2, 1, new short[2], new float[256]));
  }

  /** Views cut normalised from the compact image: as the old normalise-then-cut, bit for bit. */
  @Test
  void viewsAreNormalisedAsTheyAreCut() throws Exception {
    int[][] sizes = {{300, 250}, {250, 300}, {224, 500}, {500, 224}};
    for (int[] size : sizes) {
      int w = size[0];
      int h = size[1];
      BufferedImage image = random(w, h, BufferedImage.TYPE_3BYTE_BGR, w);
      Normalised normalised =
          new Normalised(ImageDecoder.fromBufferedImage("v", image), MEAN, STD);
      float[] old = floats(image);
      for (int c = 0; c < 3; c++) {
        for (int i = c * w * h; i < (c + 1) * w * h; i++) {
          old[i] = (old[i] - MEAN[c]) / STD[c];
        }
      }
      float[] row = new float[100];
      normalised.row(1, w - 100, h - 1, 100, row);
      float[] want = new float[100];
      System.arraycopy(old, (h + h - 1) * w + w - 100, want, 0, 100);
      assertArrayEquals(want, row, 0f);
      // the global view down to 224 and a view up to twice the size: torch's bilinear on floats
      for (int[] out : new int[][] {{224, 224}, {2 * w, 2 * h}, {w / 3, h / 5}}) {
        float[] streamed = new float[3 * out[0] * out[1]];
        Resize.bilinearInto(normalised::value, 3, w, h, out[0], out[1], streamed, 0);
        assertArrayEquals(Resize.bilinear(old, 3, w, h, out[0], out[1]), streamed, 0f);
      }
    }
  }

  /**
   * A header saying 30000 x 20000 with no pixel data behind it: refused on the header (whose
   * colour type the reader cannot confirm without the chunks after it, so four bands count).
   */
  @Test
  void anImageOverTheMemoryBudgetIsRefusedBeforeDecoding() throws Exception {
    byte[] header = png(random(30, 20, BufferedImage.TYPE_3BYTE_BGR, 1));
    java.nio.ByteBuffer.wrap(header, 16, 8).putInt(30000).putInt(20000); // IHDR width, height
    byte[] truncated = java.util.Arrays.copyOf(header, 33); // signature + IHDR only
    Preparer preparer =
        new Preparer(
            Views.Config.paper(), Long.MAX_VALUE, MEAN, STD,
            new MemoryBudget(100L << 20, "the test", "give it more"));
    ImageException e =
        assertThrows(
            ImageException.class, () -> preparer.prepare(ImageInput.of("big.png", truncated)));
    assertTrue(
        e.getMessage().contains("big.png")
            && e.getMessage().contains("30000x20000 needs 4006 MB to decode and prepare, the"
                + " test has 100 MB free; give it more"),
        e.getMessage());
    // the same header under a budget that holds it: now the missing pixel data is the error
    Preparer roomy =
        new Preparer(
            Views.Config.paper(), Long.MAX_VALUE, MEAN, STD,
            new MemoryBudget(5000L << 20, "the test", "give it more"));
    ImageException later =
        assertThrows(
            ImageException.class, () -> roomy.prepare(ImageInput.of("big.png", truncated)));
    assertTrue(!later.getMessage().contains("needs"), later.getMessage());
  }

  @Test
  void theNeedCountsTheRasterACopyAndAnyResize() throws Exception {
    Views.Config paper = Views.Config.paper();
    assertEquals(6L * 8000 * 10000, MemoryBudget.need(8000, 10000, 3, 8, paper));
    assertEquals(12L * 8000 * 10000, MemoryBudget.need(8000, 10000, 3, 16, paper));
    // a small image is upscaled on floats: the resize's copies count
    long small = MemoryBudget.need(100, 100, 3, 8, paper);
    assertEquals(6L * 100 * 100 + 12L * 100 * 100 + 24L * 224 * 224, small);
  }
}
