package org.maclip.scoring;

import java.util.List;
import java.util.Locale;

/**
 * The file suffixes of the formats {@link ImageDecoder} reads: the one list that the CLI's folder
 * search, the function's default key filter, the plugin's folder scan and the deployment
 * template's default take (a test checks the template against it). Apart from {@link
 * ImageDecoder}, so that asking needs no decoder on the class path.
 */
public final class ImageFormats {
  /** Lower-case suffixes with their dot, in the order the surfaces list them. */
  public static final List<String> SUFFIXES =
      List.of(".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm",
          ".pnm");

  private ImageFormats() {}

  /** True when {@code fileName} ends with one of {@link #SUFFIXES}, whatever its case. */
  public static boolean isImageName(String fileName) {
    return SUFFIXES.contains(suffix(fileName));
  }

  /** The lower-case suffix with its dot ({@code ".png"}), or "" when the name has none. */
  public static String suffix(String fileName) {
    int dot = fileName.lastIndexOf('.');
    int slash = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
    return dot <= slash + 1 ? "" : fileName.substring(dot).toLowerCase(Locale.ROOT);
  }
}
