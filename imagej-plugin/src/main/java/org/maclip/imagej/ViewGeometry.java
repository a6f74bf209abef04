package org.maclip.imagej;

import java.awt.Rectangle;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.ViewBox;

/**
 * Where a view lies in the image as the user sees it. The scorer reports view boxes in the
 * prepared image (after any upscale of small images or pre-resize); this maps them back with the
 * image/prepared size ratio. Both the heat map and the drawn view boxes use it.
 */
public final class ViewGeometry {
  private ViewGeometry() {}

  /** The box in image pixels: edges scaled by the size ratio and rounded. */
  public static Rectangle toImage(ViewBox box, ScoreResult result) {
    return toImage(box, result.preparedWidth(), result.preparedHeight(), result.width(),
        result.height());
  }

  /** The box in an image of {@code imageWidth × imageHeight} prepared as {@code prepared*}. */
  public static Rectangle toImage(
      ViewBox box, int preparedWidth, int preparedHeight, int imageWidth, int imageHeight) {
    double sx = imageWidth / (double) preparedWidth;
    double sy = imageHeight / (double) preparedHeight;
    int x0 = (int) Math.round(box.left() * sx);
    int y0 = (int) Math.round(box.top() * sy);
    int x1 = (int) Math.round((box.left() + box.width()) * sx);
    int y1 = (int) Math.round((box.top() + box.height()) * sy);
    return new Rectangle(x0, y0, x1 - x0, y1 - y0);
  }
}
