package org.maclip.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where an image's views lie: the size an image is resized to before cutting, and the view boxes
 * of that prepared image, in scoring order. The same boxes cut the views and draw quality maps.
 * Matches the reference's {@code maclip.views.prepared_size} and {@code view_boxes} exactly.
 */
public final class Views {
  private Views() {}

  /**
   * How an image becomes views.
   *
   * @param patchSize side of the square patches, pixels
   * @param stride step between patches (patches that do not fit are dropped)
   * @param minSide images whose shorter side is below this are upscaled to it (aspect kept)
   * @param includeGlobal add the whole image resized to {@code patchSize} as the last view
   * @param maxSide cap on the longer side (aspect kept); 0 for none
   * @param preResize resize to this size first; empty keeps the native size
   */
  public record Config(
      int patchSize,
      int stride,
      int minSide,
      boolean includeGlobal,
      int maxSide,
      Optional<ScorerOptions.Size> preResize) {
    public Config {
      if (patchSize < 1 || stride < 1) {
        throw new IllegalArgumentException("patch size and stride must be positive");
      }
      if (minSide < patchSize) {
        throw new IllegalArgumentException("min side must be at least the patch size");
      }
      if (maxSide != 0 && maxSide < minSide) {
        throw new IllegalArgumentException(
            "max side " + maxSide + " must be at least the min side " + minSide);
      }
    }

    /** The paper's views: 224-pixel patches every 128 pixels, plus the global view. */
    public static Config paper() {
      return new Config(224, 128, 224, true, 0, Optional.empty());
    }
  }

  /** A size in pixels that may be too large for an int (a thin image's upscale). */
  public record Frame(long width, long height) {
    public long pixels() {
      return width * height;
    }
  }

  /**
   * The size of an image of native {@code width × height} after the pre-resize, the max-side cap
   * and the min-side upscale, without touching pixels.
   */
  public static Frame preparedSize(int width, int height, Config config) {
    long w = width;
    long h = height;
    if (config.preResize().isPresent()) {
      w = config.preResize().get().width();
      h = config.preResize().get().height();
    }
    if (config.maxSide() > 0 && Math.max(h, w) > config.maxSide()) {
      double scale = config.maxSide() / (double) Math.max(h, w);
      h = Math.max(1, roundHalfEven(h * scale));
      w = Math.max(1, roundHalfEven(w * scale));
    }
    if (Math.min(h, w) < config.minSide()) {
      double scale = config.minSide() / (double) Math.min(h, w);
      h = Math.max(config.minSide(), (long) Math.ceil(h * scale - 1e-9));
      w = Math.max(config.minSide(), (long) Math.ceil(w * scale - 1e-9));
    }
    return new Frame(w, h);
  }

  /** Python's {@code round()}: to the nearest integer, ties to even. */
  static long roundHalfEven(double x) {
    return (long) Math.rint(x);
  }

  /**
   * Why an image of native {@code width × height} cannot be prepared within {@code maxPixels}
   * pixels, or null when it can: the reference's wording ({@code images.check_pixel_limit}).
   * Sizes are given as width x height.
   */
  public static String overPixelLimit(int width, int height, Config config, long maxPixels) {
    Frame prepared = preparedSize(width, height, config);
    if (prepared.pixels() <= maxPixels) {
      return null;
    }
    ScorerOptions.Size base = config.preResize().orElse(new ScorerOptions.Size(width, height));
    String why =
        Math.min(base.width(), base.height()) < config.minSide()
            ? "the image is upscaled so its short side is " + config.minSide()
            : "the pre-resize to " + base.width() + "x" + base.height();
    return "prepared size " + prepared.width() + "x" + prepared.height() + " = "
        + prepared.pixels() + " pixels is over the limit of " + maxPixels + " (" + why + ")";
  }

  /**
   * The views of a prepared {@code width × height} image in scoring order: patches row by row
   * (top to bottom, then left to right), then the global view if the config has it.
   */
  public static List<ViewBox> viewBoxes(int width, int height, Config config) {
    int p = config.patchSize();
    List<ViewBox> boxes = new ArrayList<>();
    for (int top = 0; top + p <= height; top += config.stride()) {
      for (int left = 0; left + p <= width; left += config.stride()) {
        boxes.add(new ViewBox(top, left, p, p, false));
      }
    }
    if (config.includeGlobal()) {
      boxes.add(new ViewBox(0, 0, height, width, true));
    }
    return boxes;
  }

  /** Number of views of an image of native size {@code width × height}. */
  public static int countViews(int width, int height, Config config) {
    Frame frame = preparedSize(width, height, config);
    int p = config.patchSize();
    long rows = frame.height() < p ? 0 : (frame.height() - p) / config.stride() + 1;
    long cols = frame.width() < p ? 0 : (frame.width() - p) / config.stride() + 1;
    return Math.toIntExact(rows * cols + (config.includeGlobal() ? 1 : 0));
  }
}
