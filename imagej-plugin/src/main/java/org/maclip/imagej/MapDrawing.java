package org.maclip.imagej;

import ij.ImagePlus;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.gui.TextRoi;
import ij.process.FloatProcessor;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.util.Locale;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.ViewScore;

/** Draws a {@link QualityMap}: heat cells, a calibration bar and view boxes as overlay ROIs. */
final class MapDrawing {
  /** Every ROI drawn here has a name starting with this, so a new map replaces the old one. */
  static final String NAME = "MA-CLIP map";
  private static final int BAR_STEPS = 64;

  private MapDrawing() {}

  /** Removes the ROIs of an earlier map from the overlay. */
  static void removeOld(Overlay overlay) {
    for (int i = overlay.size() - 1; i >= 0; i--) {
      String name = overlay.get(i).getName();
      if (name != null && name.startsWith(NAME)) {
        overlay.remove(i);
      }
    }
  }

  /** The map as filled rectangles, coloured from {@code min} (dark) to {@code max} (yellow). */
  static void heat(Overlay overlay, QualityMap map, double opacity, Placement where) {
    int alpha = (int) Math.round(255 * Math.max(0, Math.min(1, opacity)));
    double span = map.max() > map.min() ? map.max() - map.min() : 1;
    for (int r = 0; r < map.rows(); r++) {
      for (int c = 0; c < map.columns(); c++) {
        Roi cell = new Roi(map.xEdges()[c], map.yEdges()[r],
            map.xEdges()[c + 1] - map.xEdges()[c], map.yEdges()[r + 1] - map.yEdges()[r]);
        cell.setFillColor(Viridis.at((map.cell(r, c) - map.min()) / span, alpha));
        add(overlay, cell, NAME + " cell", where);
      }
    }
  }

  /** The outline of every patch view, in image pixels. */
  static void boxes(Overlay overlay, ScoreResult result, Placement where) {
    for (ViewScore view : result.views()) {
      if (view.box().global()) {
        continue;
      }
      Rectangle r = ViewGeometry.toImage(view.box(), result);
      Roi box = new Roi(r.x, r.y, r.width, r.height);
      box.setStrokeColor(new Color(255, 255, 255, 140));
      add(overlay, box, NAME + " view", where);
    }
  }

  /** A vertical colour bar at the top right with the map's name, maximum and minimum. */
  static void calibrationBar(
      Overlay overlay, QualityMap map, int imageWidth, int imageHeight, Placement where) {
    int margin = Math.max(4, Math.min(imageWidth, imageHeight) / 50);
    int barWidth = Math.max(8, imageWidth / 40);
    int barHeight = Math.max(BAR_STEPS, imageHeight / 3);
    int fontSize = Math.max(10, Math.min(imageWidth, imageHeight) / 28);
    Font font = new Font("SansSerif", Font.PLAIN, fontSize);
    String top = format(map.max());
    String bottom = format(map.min());
    int textWidth = fontSize * Math.max(Math.max(top.length(), bottom.length()),
        map.field().label().length()) * 6 / 10 + margin;
    int x = imageWidth - margin - barWidth;
    int y = margin + fontSize + margin;
    Roi panel = new Roi(x - textWidth - margin, margin / 2, textWidth + barWidth + 2 * margin,
        barHeight + fontSize + 3 * margin);
    panel.setFillColor(new Color(0, 0, 0, 150));
    add(overlay, panel, NAME + " bar", where);
    double step = barHeight / (double) BAR_STEPS;
    for (int i = 0; i < BAR_STEPS; i++) {
      int y0 = y + (int) Math.round(i * step);
      int y1 = y + (int) Math.round((i + 1) * step);
      Roi strip = new Roi(x, y0, barWidth, y1 - y0);
      strip.setFillColor(Viridis.at(1 - (i + 0.5) / BAR_STEPS, 255));
      add(overlay, strip, NAME + " bar", where);
    }
    text(overlay, map.field().label(), x - textWidth, margin / 2, font, where);
    text(overlay, top, x - textWidth, y - fontSize / 3, font, where);
    text(overlay, bottom, x - textWidth, y + barHeight - fontSize, font, where);
  }

  private static void text(Overlay overlay, String s, int x, int y, Font font, Placement where) {
    TextRoi t = new TextRoi(x, y, s, font);
    t.setStrokeColor(Color.white);
    add(overlay, t, NAME + " label", where);
  }

  private static String format(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  private static void add(Overlay overlay, Roi roi, String name, Placement where) {
    roi.setName(name);
    where.apply(roi);
    overlay.add(roi);
  }

  /** The map as a new 32-bit image in the viridis LUT, its range the map's range. */
  static ImagePlus image(QualityMap map, String title) {
    int width = map.xEdges()[map.xEdges().length - 1];
    int height = map.yEdges()[map.yEdges().length - 1];
    FloatProcessor fp = new FloatProcessor(width, height, map.pixels());
    fp.setLut(Viridis.lut());
    fp.setMinAndMax(map.min(), map.max());
    return new ImagePlus(title, fp);
  }

  /** Which plane of a stack the ROIs belong to (all channels of it). */
  record Placement(boolean hyperstack, int stackSize, Plane plane) {
    static Placement of(ImagePlus imp, Plane plane) {
      return new Placement(imp.isHyperStack(), imp.getStackSize(), plane);
    }

    void apply(Roi roi) {
      if (hyperstack) {
        roi.setPosition(0, plane.slice(), plane.frame());
      } else if (stackSize > 1) {
        roi.setPosition(plane.index());
      }
    }
  }
}
