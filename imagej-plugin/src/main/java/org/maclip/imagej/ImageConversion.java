package org.maclip.imagej;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;
import ij.process.ShortProcessor;
import java.awt.image.IndexColorModel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.maclip.scoring.RgbImage;

/**
 * The conversion rules: one plane of an ImageJ image becomes the RGB picture MA-CLIP scores.
 *
 * <ul>
 *   <li>{@link Rule#DISPLAYED} (default): what ImageJ draws for the plane, without overlay or
 *       selection. 8/16/32-bit: through the LUT and display range. Composites in composite mode:
 *       the active channels mixed by ImageJ itself (its RGB conversion). RGB: the pixels.
 *   <li>{@link Rule#RAW}: the data, mapped linearly. 8-bit: 0–255. 16/32-bit: the plane's own
 *       minimum–maximum (NaN counts as the minimum). One displayed channel is grey; several
 *       displayed channels are each mapped so and added in their LUT's colour, clipped at 1. RGB:
 *       the pixels.
 * </ul>
 */
public final class ImageConversion {
  private ImageConversion() {}

  /** How pixel values become colours. */
  public enum Rule {
    /** As displayed: LUT and display range. */
    DISPLAYED,
    /** The data range mapped linearly. */
    RAW;

    /** RAW when {@code raw}, else DISPLAYED. */
    public static Rule of(boolean raw) {
      return raw ? RAW : DISPLAYED;
    }
  }

  /**
   * The plane as an RGB picture in [0, 1].
   *
   * @throws IllegalArgumentException when no channel is displayed (all switched off)
   */
  public static RgbImage convert(ImagePlus imp, Plane plane, Rule rule) {
    int[] channels = displayedChannels(imp, plane.channel());
    if (channels.length == 0) {
      throw new IllegalArgumentException(
          "no channel is displayed (all are switched off in Image > Color > Channels Tool)");
    }
    if (imp.getBitDepth() == 24) {
      return fromPackedRgb((int[]) imp.getStack().getPixels(plane.index()), imp.getWidth(),
          imp.getHeight());
    }
    if (rule == Rule.RAW) {
      return raw(imp, plane, channels);
    }
    if (channels.length > 1 || isCompositeMode(imp)) {
      return mixedByImageJ((CompositeImage) imp, plane);
    }
    return renderOne(imp, plane);
  }

  /**
   * The channels drawn at once: the active channels of a composite shown in composite mode, else
   * the current channel alone.
   */
  static int[] displayedChannels(ImagePlus imp, int current) {
    if (!isCompositeMode(imp) || imp.getNChannels() == 1) {
      return new int[] {current};
    }
    boolean[] active = ((CompositeImage) imp).getActiveChannels();
    List<Integer> on = new ArrayList<>();
    for (int c = 1; c <= imp.getNChannels(); c++) {
      if (c - 1 < active.length && active[c - 1]) {
        on.add(c);
      }
    }
    return on.stream().mapToInt(Integer::intValue).toArray();
  }

  private static boolean isCompositeMode(ImagePlus imp) {
    return imp.getCompositeMode() == CompositeImage.COMPOSITE && imp.getNChannels() > 1;
  }

  /**
   * One channel through its LUT and the current display range, as ImageJ draws it. An 8 or 16-bit
   * plane's colour depends on its sample value alone, so ImageJ draws every value once (a ramp)
   * and the plane is kept as its samples with that table: gray, 1 or 2 bytes a pixel, for a gray
   * LUT; 3 bytes a pixel for a coloured one. A 32-bit plane is drawn whole.
   */
  private static RgbImage renderOne(ImagePlus imp, Plane plane) {
    ImageProcessor ip = imp.getStack().getProcessor(plane.index());
    int width = imp.getWidth();
    int height = imp.getHeight();
    ImageProcessor shown = imp.getProcessor();
    ip.setMinAndMax(shown.getMin(), shown.getMax()); // ImageJ reads 0-0 as the data's own range
    IndexColorModel lut = baseColours(imp, plane.channel());
    if (!isInteger(ip)) {
      return fromPackedRgb(drawn(ip, lut, ip.getMin(), ip.getMax()), width, height);
    }
    int[] colours = drawn(everyValue(ip), lut, ip.getMin(), ip.getMax());
    if (isGray(colours)) {
      float[] table = new float[colours.length];
      for (int v = 0; v < table.length; v++) {
        table[v] = (colours[v] & 0xff) / 255f;
      }
      return samples(ip, table, width, height);
    }
    return packed(i -> colours[ip.get(i)], width, height);
  }

  /** True for an 8 or 16-bit plane (bytes or shorts, one sample a pixel). */
  private static boolean isInteger(ImageProcessor ip) {
    return ip.getPixels() instanceof byte[] || ip.getPixels() instanceof short[];
  }

  /** An 8 or 16-bit plane's samples, copied, gray, a sample {@code v} standing for {@code table[v]}. */
  private static RgbImage samples(ImageProcessor ip, float[] table, int width, int height) {
    return ip.getPixels() instanceof byte[] bytes
        ? RgbImage.ofGray(width, height, bytes.clone(), table)
        : RgbImage.ofGray(width, height, ((short[]) ip.getPixels()).clone(), table);
  }

  /** What ImageJ draws for {@code ip} through {@code lut} from {@code min} to {@code max}. */
  private static int[] drawn(ImageProcessor ip, IndexColorModel lut, double min, double max) {
    ip.setColorModel(lut);
    ip.setMinAndMax(min, max);
    return (int[]) new ColorProcessor(ip.createImage()).getPixels();
  }

  /** A plane of {@code ip}'s type whose pixel {@code v} is the value {@code v}, each value once. */
  private static ImageProcessor everyValue(ImageProcessor ip) {
    if (ip.getBitDepth() == 8) {
      byte[] values = new byte[256];
      for (int v = 0; v < values.length; v++) {
        values[v] = (byte) v;
      }
      return new ByteProcessor(256, 1, values);
    }
    short[] values = new short[65536];
    for (int v = 0; v < values.length; v++) {
      values[v] = (short) v;
    }
    return new ShortProcessor(256, 256, values, null);
  }

  private static boolean isGray(IndexColorModel lut) {
    int[] colours = new int[lut.getMapSize()];
    lut.getRGBs(colours);
    return isGray(colours);
  }

  private static boolean isGray(int[] colours) {
    for (int c : colours) {
      int r = c >> 16 & 0xff;
      if (r != (c >> 8 & 0xff) || r != (c & 0xff)) {
        return false;
      }
    }
    return true;
  }

  /** The LUT's colours, without the display range or a threshold's highlight. */
  private static IndexColorModel baseColours(ImagePlus imp, int channel) {
    int mode = imp.getCompositeMode();
    if (mode == CompositeImage.COLOR || mode == CompositeImage.COMPOSITE) {
      return ((CompositeImage) imp).getChannelLut(channel).getColorModel();
    }
    LUT lut = mode == CompositeImage.GRAYSCALE ? null : imp.getProcessor().getLut();
    return lut != null ? lut.getColorModel() : LUT.createLutFromColor(java.awt.Color.white);
  }

  /** ImageJ's own rendering of a composite plane (its Image > Type > RGB Color does this). */
  private static RgbImage mixedByImageJ(CompositeImage imp, Plane plane) {
    synchronized (imp) {
      int c0 = imp.getC();
      int z0 = imp.getZ();
      int t0 = imp.getT();
      try {
        imp.setPositionWithoutUpdate(plane.channel(), plane.slice(), plane.frame());
        imp.updateImage();
        int[] rgb = (int[]) new ColorProcessor(imp.getImage()).getPixels();
        return fromPackedRgb(rgb, imp.getWidth(), imp.getHeight());
      } finally {
        imp.setPositionWithoutUpdate(c0, z0, t0);
      }
    }
  }

  /**
   * The raw rule. One channel is kept gray at its own depth: 8-bit bytes (1 byte a pixel) and
   * 16-bit samples (2) with a table of what each value maps to, 32-bit as floats (4). Several
   * channels are mixed into planar floats (12 bytes a pixel): a sum of colours has no exact
   * compact form.
   */
  private static RgbImage raw(ImagePlus imp, Plane plane, int[] channels) {
    int width = imp.getWidth();
    int height = imp.getHeight();
    if (channels.length == 1) {
      return gray(channel(imp, plane, channels[0]), width, height);
    }
    int size = width * height;
    float[] out = new float[3 * size];
    for (int c : channels) {
      Linear values = linear(channel(imp, plane, c));
      float[] colour = topColour(imp, c);
      for (int k = 0; k < 3; k++) {
        for (int i = 0; i < size; i++) {
          out[k * size + i] = Math.min(1f, out[k * size + i] + colour[k] * values.at(i));
        }
      }
    }
    return new RgbImage(width, height, out);
  }

  private static ImageProcessor channel(ImagePlus imp, Plane plane, int channel) {
    int index = Planes.at(imp.getNChannels(), imp.getNSlices(), channel, plane.slice(),
        plane.frame()).index();
    return imp.getStack().getProcessor(index);
  }

  /** One plane as a gray image of its {@link #linear} values, copied at its own depth. */
  private static RgbImage gray(ImageProcessor ip, int width, int height) {
    if (isInteger(ip)) {
      return samples(ip, table(ip), width, height);
    }
    Linear values = linear(ip);
    float[] out = new float[width * height];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.at(i);
    }
    return RgbImage.ofGray(width, height, out);
  }

  /** The colour at the top of a channel's LUT, each component in [0, 1]. */
  private static float[] topColour(ImagePlus imp, int channel) {
    LUT lut = ((CompositeImage) imp).getChannelLut(channel);
    int top = lut.getMapSize() - 1;
    return new float[] {lut.getRed(top) / 255f, lut.getGreen(top) / 255f, lut.getBlue(top) / 255f};
  }

  /** The raw rule's value of a plane's pixel {@code i}, in [0, 1]. */
  @FunctionalInterface
  interface Linear {
    float at(int i);
  }

  /**
   * A gray plane mapped linearly to [0, 1]: 8-bit by 255, 16/32-bit from the plane's own finite
   * minimum to its maximum (a constant plane gives 0; NaN gives 0). 8 and 16-bit values are
   * looked up in a {@link #table}, 32-bit ones computed as they are read.
   */
  static Linear linear(ImageProcessor ip) {
    if (ip.getBitDepth() != 32) {
      float[] table = table(ip);
      return i -> table[ip.get(i)];
    }
    double[] range = range(ip);
    return i -> map(ip.getf(i), range[0], range[1]);
  }

  /** For every value of an 8 or 16-bit plane's sample type, what {@link #linear} maps it to. */
  static float[] table(ImageProcessor ip) {
    if (ip.getBitDepth() == 8) {
      float[] table = new float[256];
      for (int v = 0; v < table.length; v++) {
        table[v] = v / 255f;
      }
      return table;
    }
    double[] range = range(ip);
    float[] table = new float[65536];
    for (int v = 0; v < table.length; v++) {
      table[v] = map(v, range[0], range[1]);
    }
    return table;
  }

  /** The plane's finite minimum and the span to its maximum (infinite for a constant plane). */
  private static double[] range(ImageProcessor ip) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0, size = ip.getPixelCount(); i < size; i++) {
      float v = ip.getf(i);
      if (Float.isFinite(v)) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    return new double[] {min, max > min ? max - min : Double.POSITIVE_INFINITY};
  }

  private static float map(float v, double min, double span) {
    return Float.isFinite(v) ? (float) ((v - min) / span) : 0f;
  }

  /** Packed 0xRRGGBB pixels as an 8-bit RGB image (3 bytes a pixel, values v / 255). */
  public static RgbImage fromPackedRgb(int[] rgb, int width, int height) {
    return packed(i -> rgb[i], width, height);
  }

  /** {@link #fromPackedRgb} of the packed pixel {@code rgbAt.applyAsInt(i)} at index {@code i}. */
  private static RgbImage packed(IntUnaryOperator rgbAt, int width, int height) {
    int size = width * height;
    byte[] out = new byte[3 * size];
    for (int i = 0; i < size; i++) {
      int p = rgbAt.applyAsInt(i);
      out[3 * i] = (byte) (p >> 16);
      out[3 * i + 1] = (byte) (p >> 8);
      out[3 * i + 2] = (byte) p;
    }
    return RgbImage.ofRgbBytes(width, height, out);
  }

  /** How a plane's displayed channels are drawn, as far as its conversion's memory goes. */
  enum Drawing {
    /** One channel under a gray LUT. */
    GRAY,
    /** One channel under a coloured LUT (or a LUT not known). */
    COLOUR,
    /** Several channels drawn together (composite mode). */
    MIXED
  }

  /**
   * Bytes {@link #convert} allocates for {@code plane} of {@code imp} at its peak. RGB: 3 a pixel
   * (the picture). One 8 or 16-bit channel, as displayed: its samples (1 or 2) under a gray LUT,
   * 3 under a coloured one, and the tables of a ramp (up to 1 MB); as raw: its samples (1 or 2)
   * and, for 16-bit, a table of 65536 floats. One 32-bit channel: as displayed, the picture,
   * ImageJ's packed rendering (4) and its AWT image (up to 4); as raw, its floats (4). Several
   * channels drawn together: as displayed, the same 11 as a 32-bit plane; as raw, planar floats
   * (12) and one table at a time.
   */
  static long conversionBytes(ImagePlus imp, Plane plane, Rule rule) {
    Drawing drawing;
    if (displayedChannels(imp, plane.channel()).length > 1
        || rule == Rule.DISPLAYED && isCompositeMode(imp)) {
      drawing = Drawing.MIXED;
    } else {
      drawing = isGray(baseColours(imp, plane.channel())) ? Drawing.GRAY : Drawing.COLOUR;
    }
    return conversionBytes((long) imp.getWidth() * imp.getHeight(), imp.getBitDepth(), drawing,
        rule);
  }

  /**
   * {@link #conversionBytes(ImagePlus, Plane, Rule)} for a plane of {@code pixels} pixels of
   * ImageJ's {@code bitDepth} (8, 16, 24 or 32) drawn as {@code drawing}.
   */
  static long conversionBytes(long pixels, int bitDepth, Drawing drawing, Rule rule) {
    if (bitDepth == 24) {
      return 3 * pixels;
    }
    boolean mixed = drawing == Drawing.MIXED;
    if (rule == Rule.DISPLAYED) {
      if (mixed || bitDepth == 32) {
        return 11 * pixels;
      }
      return (drawing == Drawing.GRAY ? bitDepth / 8 : 3) * pixels + RAMP_BYTES;
    }
    long table = bitDepth == 16 ? 4L * 65536 : 0;
    return (mixed ? 12 : bitDepth / 8) * pixels + table;
  }

  /**
   * A 16-bit ramp's samples (2 bytes a value), AWT image (1), packed drawing (4) and the table
   * made of it (4), rounded up.
   */
  private static final long RAMP_BYTES = 1 << 20;
}
