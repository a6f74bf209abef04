package org.maclip.imagej;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.macro.Interpreter;
import java.awt.GraphicsEnvironment;

/** Showing new images (plots, maps) without taking the scored image away from a macro. */
final class Display {
  private Display() {}

  /**
   * Shows {@code created}: a window, or in batch mode and headless macros a hidden image. In a
   * macro, {@code keepCurrent} stays the current image, so the macro's next lines act on it;
   * with null, {@code created} becomes the current image, as any new image does.
   */
  static void show(ImagePlus created, ImagePlus keepCurrent) {
    boolean macro = IJ.isMacro() || Interpreter.isBatchMode();
    if (GraphicsEnvironment.isHeadless() && !macro) {
      return; // nowhere to show it
    }
    created.show();
    if (macro) {
      WindowManager.setTempCurrentImage(keepCurrent != null ? keepCurrent : created);
    }
  }
}
