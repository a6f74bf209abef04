package org.maclip.imagej;

import ij.ImagePlus;
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
    try {
      return ImageConversion.convert(imp, plane, rule);
    } catch (IllegalArgumentException e) {
      throw new ImageException(name, e.getMessage(), e);
    }
  }

  /** Refuses images with more pixels than the scorer allows, before converting anything. */
  static void checkSize(String name, int width, int height, long maxPixels) throws ImageException {
    PixelLimitException.check(name, width, height, maxPixels);
  }
}
