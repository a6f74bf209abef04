package org.maclip.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;
import ij.process.ShortProcessor;
import java.awt.Color;
import org.junit.jupiter.api.Test;
import org.maclip.imagej.ImageConversion.Rule;
import org.maclip.scoring.RgbImage;

class ImageConversionTest {

  // ---- memory, before converting ----

  @Test
  void aPlaneIsCheckedAgainstImageJsFreeMemoryBeforeItIsConverted() {
    ImagePlus rgb = new ImagePlus("rgb", new ColorProcessor(4000, 3000));
    ImagePlus gray = new ImagePlus("gray", new ByteProcessor(4000, 3000));
    assertEquals(3L * 12_000_000, bytes(rgb, Rule.DISPLAYED));
    assertEquals(1L * 12_000_000 + (1 << 20), bytes(gray, Rule.DISPLAYED));
    assertEquals(1L * 12_000_000, bytes(gray, Rule.RAW));
    gray.getProcessor().setLut(LUT.createLutFromColor(Color.green));
    assertEquals(3L * 12_000_000 + (1 << 20), bytes(gray, Rule.DISPLAYED));
    long tooMuch = Runtime.getRuntime().maxMemory() + (1L << 20);
    org.maclip.scoring.ImageException refused = assertThrows(
        org.maclip.scoring.ImageException.class,
        () -> Settings.MEMORY.check("big.tif", 4000, 3000, tooMuch));
    assertTrue(refused.getMessage().contains("big.tif")
        && refused.getMessage().contains("4000x3000 needs ")
        && refused.getMessage().contains(" MB to decode and prepare, ImageJ has ")
        && refused.getMessage().endsWith(
            "raise its maximum in Edit > Options > Memory & Threads"), refused.getMessage());
    assertDoesNotThrow(() -> Settings.MEMORY.check("small.tif", 40, 30, 3600));
  }

  // ---- as displayed ----

  @Test
  void rgbPixelsAreKeptExactly() {
    ColorProcessor cp = new ColorProcessor(2, 1, new int[] {0x102030, 0xff00fe});
    RgbImage rgb = convert(new ImagePlus("rgb", cp), Rule.DISPLAYED);
    assertArrayEquals(
        new float[] {0x10 / 255f, 1f, 0x20 / 255f, 0f, 0x30 / 255f, 0xfe / 255f}, rgb.pixels());
  }

  @Test
  void eightBitGoesThroughTheDisplayRangeAsImageJDrawsIt() {
    ImagePlus imp = new ImagePlus("ramp", ramp8());
    imp.setDisplayRange(64, 191);
    RgbImage rgb = convert(imp, Rule.DISPLAYED);
    assertEquals(0f, red(rgb, 10));
    assertEquals(1f, red(rgb, 250));
    assertEquals(0.5f, red(rgb, 128), 0.01f);
    assertArrayEquals(imageJDrawing(imp), rgb.pixels());
  }

  @Test
  void sixteenBitUsesTheDisplayRangeNotTheDataRange() {
    short[] values = {1000, 2000, 3000, 4000};
    ImagePlus imp = new ImagePlus("16", new ShortProcessor(4, 1, values, null));
    imp.setDisplayRange(2000, 3000);
    RgbImage rgb = convert(imp, Rule.DISPLAYED);
    assertEquals(0f, red(rgb, 0));
    assertEquals(0f, red(rgb, 1));
    assertEquals(1f, red(rgb, 2));
    assertEquals(1f, red(rgb, 3));
    assertArrayEquals(imageJDrawing(imp), rgb.pixels());
  }

  @Test
  void thirtyTwoBitUsesTheDisplayRange() {
    ImagePlus imp = new ImagePlus("32", new FloatProcessor(3, 1, new float[] {0f, 0.25f, 1f}));
    imp.setDisplayRange(0, 1);
    RgbImage rgb = convert(imp, Rule.DISPLAYED);
    assertEquals(0.25f, red(rgb, 1), 0.01f);
    assertArrayEquals(imageJDrawing(imp), rgb.pixels());
  }

  @Test
  void theLutGivesTheColours() {
    ImagePlus imp = new ImagePlus("red", ramp8());
    imp.getProcessor().setLut(LUT.createLutFromColor(Color.red));
    RgbImage rgb = convert(imp, Rule.DISPLAYED);
    assertEquals(200 / 255f, red(rgb, 200), 1e-6f);
    assertEquals(0f, green(rgb, 200));
    assertEquals(0f, blue(rgb, 200));
  }

  @Test
  void anInvertedLutIsShownInverted() {
    ImagePlus imp = new ImagePlus("inv", ramp8());
    imp.getProcessor().invertLut();
    RgbImage rgb = convert(imp, Rule.DISPLAYED);
    assertEquals(1f - 40 / 255f, red(rgb, 40), 1e-6f);
  }

  @Test
  void aThresholdHighlightIsNotScored() {
    ImagePlus plain = new ImagePlus("plain", ramp8());
    ImagePlus thresholded = new ImagePlus("thr", ramp8());
    thresholded.getProcessor().setThreshold(100, 200, ImageProcessor.RED_LUT);
    assertNotEquals(imageJDrawing(plain)[150], imageJDrawing(thresholded)[150]);
    assertArrayEquals(convert(plain, Rule.DISPLAYED).pixels(),
        convert(thresholded, Rule.DISPLAYED).pixels());
  }

  @Test
  void aSliceIsConvertedWithItsOwnPixelsAndTheSharedRangeWithoutMovingTheImage() {
    ImageStack stack = new ImageStack(2, 1);
    for (int k = 1; k <= 3; k++) {
      stack.addSlice(new ShortProcessor(2, 1, new short[] {(short) (100 * k), 1000}, null));
    }
    ImagePlus imp = new ImagePlus("stack", stack);
    imp.setSlice(1);
    imp.setDisplayRange(0, 1000);
    RgbImage third = ImageConversion.convert(imp, Planes.at(1, 3, 1, 3, 1), Rule.DISPLAYED);
    assertEquals(1, imp.getCurrentSlice());
    assertEquals(0.3f, red(third, 0), 0.01f);
    imp.setSlice(3);
    assertArrayEquals(imageJDrawing(imp), third.pixels());
  }

  /**
   * One 8 or 16-bit channel is drawn by ImageJ value by value and kept as its samples: the same
   * picture as ImageJ draws of the whole plane, gray at the sample's depth under a gray LUT.
   */
  @Test
  void oneChannelIsKeptAsItsSamplesWithImageJsDrawingOfEveryValue() {
    byte[] r = new byte[256];
    byte[] g = new byte[256];
    byte[] b = new byte[256];
    new java.util.Random(3).nextBytes(r);
    new java.util.Random(4).nextBytes(g);
    new java.util.Random(5).nextBytes(b);
    LUT[] luts = {null, LUT.createLutFromColor(Color.red), new LUT(r, g, b), inverted()};
    int[] grayBytes = {1, 3, 3, 1};
    double[][] ranges = {{0, 0}, {30, 200}, {4000, 30000}, {1000, 1000}};
    for (int[] size : new int[][] {{37, 23}, {23, 37}}) {
      for (ImageProcessor plane : new ImageProcessor[] {random8(size[0], size[1], 7),
          random16(size[0], size[1], 8)}) {
        for (int k = 0; k < luts.length; k++) {
          for (double[] range : ranges) {
            ImagePlus imp = new ImagePlus("one", plane.duplicate());
            if (luts[k] != null) {
              imp.getProcessor().setLut(luts[k]);
            }
            imp.setDisplayRange(range[0], range[1]);
            String which = plane.getBitDepth() + "-bit lut " + k + " range " + range[0] + "-"
                + range[1] + " " + size[0] + "x" + size[1];
            RgbImage rgb = convert(imp, Rule.DISPLAYED);
            float[] drawn = imageJDrawing(imp);
            // gray under a gray LUT; under a coloured one too when the range draws every value
            // in the LUT's first colour (an 8-bit range above 255 under red: all black)
            int depth = plane.getBitDepth() / 8;
            assertEquals(grayBytes[k] == 1 || isGray(drawn) ? depth : 3, rgb.bytesPerPixel(),
                which);
            assertArrayEquals(drawn, rgb.pixels(), which);
            long px = (long) size[0] * size[1];
            assertEquals((grayBytes[k] == 1 ? depth : 3) * px + (1 << 20),
                bytes(imp, Rule.DISPLAYED), which);
          }
        }
      }
    }
  }

  @Test
  void aChannelShownAloneInColourOrGrayscaleModeIsKeptAsItsSamples() {
    CompositeImage colour = twoChannels(CompositeImage.COLOR);
    colour.setC(2);
    assertEquals(3, convert(colour, Rule.DISPLAYED).bytesPerPixel());
    assertArrayEquals(imageJDrawing(colour), convert(colour, Rule.DISPLAYED).pixels());
    CompositeImage gray = twoChannels(CompositeImage.GRAYSCALE);
    gray.setC(1);
    assertEquals(1, convert(gray, Rule.DISPLAYED).bytesPerPixel());
    assertArrayEquals(imageJDrawing(gray), convert(gray, Rule.DISPLAYED).pixels());
  }

  @Test
  void aCompositeMixesItsActiveChannelsInTheirColours() {
    CompositeImage ci = twoChannels(CompositeImage.COMPOSITE);
    RgbImage rgb = convert(ci, Rule.DISPLAYED);
    assertEquals(200 / 255f, red(rgb, 0), 1e-6f);
    assertEquals(100 / 255f, green(rgb, 0), 1e-6f);
    assertEquals(0f, blue(rgb, 0));
  }

  @Test
  void aSwitchedOffChannelIsLeftOut() {
    CompositeImage ci = twoChannels(CompositeImage.COMPOSITE);
    ci.setActiveChannels("10");
    RgbImage rgb = convert(ci, Rule.DISPLAYED);
    assertEquals(200 / 255f, red(rgb, 0), 1e-6f);
    assertEquals(0f, green(rgb, 0));
  }

  @Test
  void colourModeShowsTheCurrentChannelOnly() {
    CompositeImage ci = twoChannels(CompositeImage.COLOR);
    ci.setC(2);
    RgbImage rgb = convert(ci, Rule.DISPLAYED);
    assertEquals(0f, red(rgb, 0));
    assertEquals(100 / 255f, green(rgb, 0), 1e-6f);
  }

  @Test
  void grayscaleModeShowsTheCurrentChannelInGrey() {
    CompositeImage ci = twoChannels(CompositeImage.GRAYSCALE);
    ci.setC(1);
    RgbImage rgb = convert(ci, Rule.DISPLAYED);
    assertEquals(200 / 255f, red(rgb, 0), 1e-6f);
    assertEquals(200 / 255f, green(rgb, 0), 1e-6f);
    assertEquals(200 / 255f, blue(rgb, 0), 1e-6f);
  }

  @Test
  void aCompositeWithEveryChannelOffIsRefused() {
    CompositeImage ci = twoChannels(CompositeImage.COMPOSITE);
    ci.setActiveChannels("00");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> convert(ci, Rule.DISPLAYED));
    assertTrue(e.getMessage().contains("no channel is displayed"), e.getMessage());
  }

  @Test
  void aHyperstackPlaneIsRenderedAtItsSliceAndTheImageStaysWhereItWas() {
    ImageStack stack = new ImageStack(1, 1);
    for (int z = 1; z <= 2; z++) {
      stack.addSlice(new ByteProcessor(1, 1, new byte[] {(byte) (50 * z)}));
      stack.addSlice(new ByteProcessor(1, 1, new byte[] {(byte) (60 * z)}));
    }
    ImagePlus imp = new ImagePlus("hyper", stack);
    imp.setDimensions(2, 2, 1);
    CompositeImage ci = new CompositeImage(imp, CompositeImage.COMPOSITE);
    ci.setLuts(new LUT[] {LUT.createLutFromColor(Color.red), LUT.createLutFromColor(Color.green)});
    ci.setPosition(1, 1, 1);
    RgbImage second = ImageConversion.convert(ci, Planes.at(2, 2, 1, 2, 1), Rule.DISPLAYED);
    assertEquals(100 / 255f, red(second, 0), 1e-6f);
    assertEquals(120 / 255f, green(second, 0), 1e-6f);
    assertEquals(1, ci.getZ());
    RgbImage first = convert(ci, Rule.DISPLAYED);
    assertEquals(50 / 255f, red(first, 0), 1e-6f);
  }

  // ---- raw ----

  @Test
  void rawMapsSixteenBitDataRangeLinearlyWhateverTheDisplayRange() {
    ImagePlus imp = new ImagePlus("16", new ShortProcessor(3, 1, new short[] {1000, 2000, 3000},
        null));
    imp.setDisplayRange(0, 65535);
    RgbImage rgb = convert(imp, Rule.RAW);
    assertEquals(0f, red(rgb, 0));
    assertEquals(0.5f, red(rgb, 1), 1e-6f);
    assertEquals(1f, blue(rgb, 2), 1e-6f);
  }

  @Test
  void rawEightBitIsTheValueOver255InGreyWhateverTheLut() {
    ImagePlus imp = new ImagePlus("fire", ramp8());
    imp.getProcessor().setLut(LUT.createLutFromColor(Color.red));
    imp.setDisplayRange(64, 100);
    RgbImage rgb = convert(imp, Rule.RAW);
    assertEquals(77 / 255f, green(rgb, 77), 1e-6f);
    assertEquals(77 / 255f, red(rgb, 77), 1e-6f);
  }

  @Test
  void rawFloatGivesNanAndConstantPlanesZero() {
    ImageConversion.Linear withNan = ImageConversion.linear(new FloatProcessor(3, 1,
        new float[] {Float.NaN, 2f, 4f}));
    assertArrayEquals(new float[] {0f, 0f, 1f},
        new float[] {withNan.at(0), withNan.at(1), withNan.at(2)});
    ImageConversion.Linear constant =
        ImageConversion.linear(new FloatProcessor(2, 1, new float[] {7f, 7f}));
    assertArrayEquals(new float[] {0f, 0f}, new float[] {constant.at(0), constant.at(1)});
  }

  @Test
  void rawOneChannelStaysAtItsDepthWithTheOldFloatValuesBitForBit() {
    for (int[] size : new int[][] {{37, 23}, {23, 37}}) {
      int w = size[0];
      int h = size[1];
      long seed = w;
      ImageProcessor[] planes = {
        random8(w, h, seed), random16(w, h, seed), random32(w, h, seed),
        constant(new ByteProcessor(w, h), 9), constant(new ShortProcessor(w, h), 40000),
        constant(new FloatProcessor(w, h), -3.5f), constant(new FloatProcessor(w, h), Float.NaN),
      };
      int[] bytesPerPixel = {1, 2, 4, 1, 2, 4, 4};
      for (int k = 0; k < planes.length; k++) {
        ImagePlus imp = new ImagePlus("p" + k, planes[k]);
        imp.setDisplayRange(3, 7);
        String which = "plane " + k + " " + w + "x" + h;
        RgbImage rgb = convert(imp, Rule.RAW);
        assertEquals(bytesPerPixel[k], rgb.bytesPerPixel(), which);
        assertArrayEquals(oldRaw(imp, new int[] {1}), rgb.pixels(), which);
        long table = planes[k] instanceof ShortProcessor ? 4L * 65536 : 0;
        assertEquals(bytesPerPixel[k] * (long) w * h + table,
            bytes(imp, Rule.RAW), which);
      }
    }
  }

  @Test
  void rawSeveralChannelsMixAsFloatsWithTheOldValuesBitForBit() {
    for (int[] size : new int[][] {{31, 17}, {17, 31}}) {
      int w = size[0];
      int h = size[1];
      ImageProcessor[][] cases = {
        {random8(w, h, 1), random8(w, h, 2), random8(w, h, 3)},
        {random16(w, h, 4), constant(new ShortProcessor(w, h), 7)},
        {random32(w, h, 5), random32(w, h, 6), constant(new FloatProcessor(w, h), Float.NaN)},
      };
      Color[] colours = {Color.yellow, Color.magenta, new Color(90, 200, 255)};
      for (ImageProcessor[] channels : cases) {
        ImageStack stack = new ImageStack(w, h);
        LUT[] luts = new LUT[channels.length];
        for (int c = 0; c < channels.length; c++) {
          stack.addSlice(channels[c]);
          luts[c] = LUT.createLutFromColor(colours[c]);
        }
        ImagePlus imp = new ImagePlus("mix", stack);
        imp.setDimensions(channels.length, 1, 1);
        CompositeImage ci = new CompositeImage(imp, CompositeImage.COMPOSITE);
        ci.setLuts(luts);
        String which = channels.length + "x" + channels[0].getBitDepth() + "-bit " + w + "x" + h;
        int[] all = java.util.stream.IntStream.rangeClosed(1, channels.length).toArray();
        RgbImage rgb = convert(ci, Rule.RAW);
        assertEquals(12, rgb.bytesPerPixel(), which);
        assertArrayEquals(oldRaw(ci, all), rgb.pixels(), which);
        ci.setActiveChannels(channels.length == 2 ? "01" : "101");
        int[] some = channels.length == 2 ? new int[] {2} : new int[] {1, 3};
        assertArrayEquals(oldRaw(ci, some), convert(ci, Rule.RAW).pixels(), which + " some");
        long table = channels[0] instanceof ShortProcessor ? 4L * 65536 : 0;
        long bytes = (some.length > 1 ? 12 : channels[0].getBitDepth() / 8) * (long) w * h;
        assertEquals(bytes + table, bytes(ci, Rule.RAW), which);
      }
    }
  }

  @Test
  void rawCompositeAddsEachChannelsDataRangeInItsColour() {
    ImageStack stack = new ImageStack(2, 1);
    stack.addSlice(new ShortProcessor(2, 1, new short[] {10, 30}, null));
    stack.addSlice(new ShortProcessor(2, 1, new short[] {500, 100}, null));
    ImagePlus imp = new ImagePlus("c2", stack);
    imp.setDimensions(2, 1, 1);
    CompositeImage ci = new CompositeImage(imp, CompositeImage.COMPOSITE);
    ci.setLuts(new LUT[] {LUT.createLutFromColor(Color.red), LUT.createLutFromColor(Color.green)});
    RgbImage rgb = convert(ci, Rule.RAW);
    assertEquals(0f, red(rgb, 0));
    assertEquals(1f, green(rgb, 0));
    assertEquals(1f, red(rgb, 1));
    assertEquals(0f, green(rgb, 1));
    assertEquals(0f, blue(rgb, 1));
  }

  @Test
  void packedRgbBecomesPlanes() {
    RgbImage rgb = ImageConversion.fromPackedRgb(new int[] {0xff0000, 0x0000ff}, 2, 1);
    assertArrayEquals(new float[] {1f, 0f, 0f, 0f, 0f, 1f}, rgb.pixels());
  }

  // ---- helpers ----

  /**
   * The raw rule as it was before planes were kept compact: each displayed channel of the current
   * plane as floats, added in its colour (white for one channel) into planar floats.
   */
  private static float[] oldRaw(ImagePlus imp, int[] channels) {
    int size = imp.getWidth() * imp.getHeight();
    float[] out = new float[3 * size];
    for (int c : channels) {
      int index = Planes.at(imp.getNChannels(), imp.getNSlices(), c, imp.getZ(), imp.getT())
          .index();
      float[] values = oldLinear(imp.getStack().getProcessor(index));
      float[] colour = {1, 1, 1};
      if (channels.length > 1) {
        LUT lut = ((CompositeImage) imp).getChannelLut(c);
        int top = lut.getMapSize() - 1;
        colour = new float[] {lut.getRed(top) / 255f, lut.getGreen(top) / 255f,
            lut.getBlue(top) / 255f};
      }
      for (int k = 0; k < 3; k++) {
        for (int i = 0; i < size; i++) {
          out[k * size + i] = Math.min(1f, out[k * size + i] + colour[k] * values[i]);
        }
      }
    }
    return out;
  }

  private static float[] oldLinear(ImageProcessor ip) {
    int size = ip.getPixelCount();
    float[] out = new float[size];
    if (ip.getBitDepth() == 8) {
      for (int i = 0; i < size; i++) {
        out[i] = ip.get(i) / 255f;
      }
      return out;
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < size; i++) {
      float v = ip.getf(i);
      if (Float.isFinite(v)) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    double span = max > min ? max - min : Double.POSITIVE_INFINITY;
    for (int i = 0; i < size; i++) {
      float v = ip.getf(i);
      out[i] = Float.isFinite(v) ? (float) ((v - min) / span) : 0f;
    }
    return out;
  }

  private static ImageProcessor random8(int w, int h, long seed) {
    java.util.Random random = new java.util.Random(seed);
    ByteProcessor ip = new ByteProcessor(w, h);
    random.nextBytes((byte[]) ip.getPixels());
    return ip;
  }

  /** 16-bit samples over part of the range (not 0 to 65535), so the data range matters. */
  private static ImageProcessor random16(int w, int h, long seed) {
    java.util.Random random = new java.util.Random(seed);
    short[] v = new short[w * h];
    for (int i = 0; i < v.length; i++) {
      v[i] = (short) (1000 + random.nextInt(50_000));
    }
    return new ShortProcessor(w, h, v, null);
  }

  /** Floats with NaN and infinities, which the data range leaves out. */
  private static ImageProcessor random32(int w, int h, long seed) {
    java.util.Random random = new java.util.Random(seed);
    float[] v = new float[w * h];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) random.nextGaussian() * 1e3f;
    }
    v[0] = Float.NaN;
    v[1] = Float.POSITIVE_INFINITY;
    v[2] = Float.NEGATIVE_INFINITY;
    return new FloatProcessor(w, h, v);
  }

  private static boolean isGray(float[] planar) {
    int n = planar.length / 3;
    for (int i = 0; i < n; i++) {
      if (planar[i] != planar[n + i] || planar[i] != planar[2 * n + i]) {
        return false;
      }
    }
    return true;
  }

  private static LUT inverted() {
    LUT lut = LUT.createLutFromColor(Color.white);
    return lut.createInvertedLut();
  }

  private static ImageProcessor constant(ImageProcessor ip, float value) {
    for (int i = 0; i < ip.getPixelCount(); i++) {
      ip.setf(i, value);
    }
    return ip;
  }

  /** {@link ImageConversion#conversionBytes} for the current plane. */
  private static long bytes(ImagePlus imp, Rule rule) {
    Plane current = Planes.at(imp.getNChannels(), imp.getNSlices(), imp.getC(), imp.getZ(),
        imp.getT());
    return ImageConversion.conversionBytes(imp, current, rule);
  }

  private static RgbImage convert(ImagePlus imp, Rule rule) {
    Plane current = Planes.at(imp.getNChannels(), imp.getNSlices(), imp.getC(), imp.getZ(),
        imp.getT());
    return ImageConversion.convert(imp, current, rule);
  }

  /** What ImageJ itself draws for the image's current plane, as planar floats. */
  private static float[] imageJDrawing(ImagePlus imp) {
    imp.updateImage();
    int[] rgb = (int[]) new ColorProcessor(imp.getImage()).getPixels();
    return ImageConversion.fromPackedRgb(rgb, imp.getWidth(), imp.getHeight()).pixels();
  }

  private static ByteProcessor ramp8() {
    byte[] v = new byte[256];
    for (int i = 0; i < 256; i++) {
      v[i] = (byte) i;
    }
    return new ByteProcessor(256, 1, v);
  }

  /** Channel 1 = 200 under a red LUT, channel 2 = 100 under a green LUT, ranges 0–255. */
  private static CompositeImage twoChannels(int mode) {
    ImageStack stack = new ImageStack(1, 1);
    stack.addSlice(new ByteProcessor(1, 1, new byte[] {(byte) 200}));
    stack.addSlice(new ByteProcessor(1, 1, new byte[] {(byte) 100}));
    ImagePlus imp = new ImagePlus("c2", stack);
    imp.setDimensions(2, 1, 1);
    CompositeImage ci = new CompositeImage(imp, mode);
    LUT red = LUT.createLutFromColor(Color.red);
    LUT green = LUT.createLutFromColor(Color.green);
    red.min = green.min = 0;
    red.max = green.max = 255;
    ci.setLuts(new LUT[] {red, green});
    ci.setMode(mode);
    ci.resetDisplayRanges();
    return ci;
  }

  private static float red(RgbImage rgb, int i) {
    return rgb.pixels()[i];
  }

  private static float green(RgbImage rgb, int i) {
    return rgb.pixels()[rgb.width() * rgb.height() + i];
  }

  private static float blue(RgbImage rgb, int i) {
    return rgb.pixels()[2 * rgb.width() * rgb.height() + i];
  }
}
