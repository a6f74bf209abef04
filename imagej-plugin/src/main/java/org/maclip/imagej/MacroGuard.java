package org.maclip.imagej;

import ij.IJ;
import java.lang.reflect.Field;

/**
 * While a macro's {@code run(...)} executes a command, ImageJ's {@link IJ#error} aborts that macro
 * (it holds the interpreter in a private static field) instead of reporting. Opening a broken file
 * in Score Folder must only list the file, so the field is cleared around each opening and put
 * back after. If a later ImageJ renames the field, nothing is cleared and a broken file stops the
 * macro, as it would without this guard.
 */
final class MacroGuard {
  private static final Field FIELD = find();

  private MacroGuard() {}

  private static Field find() {
    try {
      Field f = IJ.class.getDeclaredField("macroInterpreter");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** Clears the field; returns what it held, for {@link #resume}. */
  static Object suspend() {
    if (FIELD == null) {
      return null;
    }
    try {
      Object held = FIELD.get(null);
      FIELD.set(null, null);
      return held;
    } catch (IllegalAccessException e) {
      return null;
    }
  }

  static void resume(Object held) {
    if (FIELD == null || held == null) {
      return;
    }
    try {
      FIELD.set(null, held);
    } catch (IllegalAccessException e) {
      // left cleared: IJ.run clears it itself when the command ends
    }
  }
}
