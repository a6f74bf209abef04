package org.maclip.imagej;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.process.LUT;
import org.maclip.scoring.ImageException;
import org.maclip.scoring.ImageInput;
import org.maclip.scoring.MemoryBudget;
import org.maclip.scoring.PixelLimitException;
import org.maclip.scoring.RgbImage;

/** One plane of an open image, converted only when the scorer reaches it. */
final class PlaneInput implements ImageInput {
  private final ImagePlus imp;
  private final Plane plane;
  private final ImageConversion.Rule rule;
  private final String name;

  PlaneInput(ImagePlus imp, Plane plane, ImageConversion.Rule rule) {
    this.imp = imp;
    this.plane = plane;
    this.rule = rule;
    boolean onePlane = imp.getNSlices() * imp.getNFrames() == 1;
    this.name = onePlane ? imp.getTitle() : imp.getTitle() + ", slice " + plane.index();
  }

  /** The plane on display: the current channel, slice and frame. */
  static Plane current(ImagePlus imp) {
    return Planes.at(imp.getNChannels(), imp.getNSlices(), imp.getC(), imp.getZ(), imp.getT());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public RgbImage decode(long maxPixels) throws ImageException {
    return convert(name, imp, plane, rule, maxPixels, Settings.MEMORY);
  }

  /**
   * A plane of an image ImageJ holds, converted by {@code rule} once its size passes the pixel
   * limit and its conversion fits {@code memory}; every failure names {@code name}.
   */
  static RgbImage convert(String name, ImagePlus imp, Plane plane, ImageConversion.Rule rule,
      long maxPixels, MemoryBudget memory) throws ImageException {
    checkSize(name, imp.getWidth(), imp.getHeight(), maxPixels);
    memory.check(
        name, imp.getWidth(), imp.getHeight(), ImageConversion.conversionBytes(imp, plane, rule));
    if (rule == ImageConversion.Rule.DISPLAYED && imp.getBitDepth() == 32) {
      String warning = nonFinite(name, imp, plane);
      if (warning != null) {
        IJ.log(warning);
      }
    }
    try {
      return ImageConversion.convert(imp, plane, rule);
    } catch (IllegalArgumentException e) {
      throw new ImageException(name, e.getMessage(), e);
    }
  }

  /**
   * A warning for a float plane, scored as displayed, whose displayed channels hold NaN or
   * infinite values: ImageJ's display range may then reach infinity (the plane is drawn black)
   * and NaN is drawn as the range's minimum. Null when every value is finite.
   */
  static String nonFinite(String name, ImagePlus imp, Plane plane) {
    StringBuilder found = new StringBuilder();
    for (int c : ImageConversion.displayedChannels(imp, plane.channel())) {
      float[] pixels = (float[]) imp.getStack()
          .getPixels(imp.getStackIndex(c, plane.slice(), plane.frame()));
      long nan = 0;
      long infinite = 0;
      for (float v : pixels) {
        if (Float.isNaN(v)) {
          nan++;
        } else if (Float.isInfinite(v)) {
          infinite++;
        }
      }
      if (nan + infinite > 0) {
        LUT lut = imp.isComposite() ? ((CompositeImage) imp).getChannelLut(c) : null;
        double min = lut != null ? lut.min : imp.getDisplayRangeMin();
        double max = lut != null ? lut.max : imp.getDisplayRangeMax();
        found.append(found.length() > 0 ? "; " : "")
            .append(imp.getNChannels() > 1 ? "channel " + c + ": " : "")
            .append(nan).append(" NaN and ").append(infinite)
            .append(" infinite values, display range ").append(min).append(" to ").append(max);
      }
    }
    return found.length() == 0 ? null : "MA-CLIP: warning: " + name + " has " + found
        + "; it is scored as displayed (an infinite range draws the plane black). Set the range"
        + " in Image > Adjust > Brightness/Contrast, or use Raw data range (raw), where they"
        + " count as the minimum";
  }

  /** Refuses images with more pixels than the scorer allows, before converting anything. */
  static void checkSize(String name, int width, int height, long maxPixels) throws ImageException {
    PixelLimitException.check(name, width, height, maxPixels);
  }
}
