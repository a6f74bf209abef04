package org.maclip.cli.report;

import java.util.List;

/**
 * What an image's quality map is drawn from: its patch views (the global view left out, as in the
 * plugin's map), in the frame of the prepared image the views were cut from.
 *
 * @param width prepared width, pixels
 * @param height prepared height, pixels
 */
public record ViewMap(int width, int height, List<Patch> patches) {
  /** One patch view: its box and its Q. */
  public record Patch(int left, int top, int width, int height, double q) {}

  public ViewMap {
    patches = List.copyOf(patches);
  }
}
