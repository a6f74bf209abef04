package org.maclip.imagej;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Which planes of an image are scored: the current one, or every slice and/or frame. */
public final class Planes {
  private Planes() {}

  /** The dimension a stack is scored along. The channel is always the current one. */
  public enum Scope {
    /** The plane on display. */
    CURRENT("current"),
    /** Every slice and every frame. */
    ALL("all"),
    /** Every slice of the current frame. */
    SLICES("slices"),
    /** Every frame of the current slice. */
    FRAMES("frames");

    private final String id;

    Scope(String id) {
      this.id = id;
    }

    /** The word used in dialogs and macros. */
    public String id() {
      return id;
    }

    /** The words of the stack scopes, for the dialog's choice. */
    static String[] stackChoices() {
      return new String[] {ALL.id, SLICES.id, FRAMES.id};
    }

    public static Scope parse(String text) {
      for (Scope s : values()) {
        if (s.id.equals(text.trim().toLowerCase(Locale.ROOT))) {
          return s;
        }
      }
      throw new IllegalArgumentException(
          "unknown dimension '" + text + "' (use all, slices or frames)");
    }
  }

  /**
   * The planes to score, slice-major within each frame (stack order).
   *
   * @param channels number of channels (C)
   * @param slices number of slices (Z)
   * @param frames number of frames (T)
   * @param current the plane on display; its channel is kept for every plane
   */
  public static List<Plane> select(
      int channels, int slices, int frames, Plane current, Scope scope) {
    int z0 = current.slice();
    int t0 = current.frame();
    int zFrom = scope == Scope.ALL || scope == Scope.SLICES ? 1 : z0;
    int zTo = scope == Scope.ALL || scope == Scope.SLICES ? slices : z0;
    int tFrom = scope == Scope.ALL || scope == Scope.FRAMES ? 1 : t0;
    int tTo = scope == Scope.ALL || scope == Scope.FRAMES ? frames : t0;
    List<Plane> planes = new ArrayList<>();
    for (int t = tFrom; t <= tTo; t++) {
      for (int z = zFrom; z <= zTo; z++) {
        planes.add(at(channels, slices, current.channel(), z, t));
      }
    }
    return planes;
  }

  /** The plane at {@code (c, z, t)} with its stack index, as ImagePlus.getStackIndex numbers it. */
  public static Plane at(int channels, int slices, int c, int z, int t) {
    return new Plane(c, z, t, (t - 1) * channels * slices + (z - 1) * channels + c);
  }
}
