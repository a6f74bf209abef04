package org.maclip.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/** Which file names are images when folders and patterns are searched (as the reference). */
final class ImageFiles {
  static final Set<String> EXTENSIONS =
      Set.of(".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif", ".ppm", ".pgm",
          ".pnm");

  /** Suffixes of text files listing one path per line. */
  static final Set<String> LIST_EXTENSIONS = Set.of(".txt", ".lst", ".list");

  private ImageFiles() {}

  static boolean isImageName(Path path) {
    return EXTENSIONS.contains(suffix(path));
  }

  static boolean isListName(Path path) {
    return LIST_EXTENSIONS.contains(suffix(path));
  }

  /** The lower-case suffix with its dot ({@code ".png"}), or "" when the name has none. */
  static String suffix(Path path) {
    Path name = path.getFileName();
    if (name == null) {
      return "";
    }
    String text = name.toString();
    int dot = text.lastIndexOf('.');
    return dot <= 0 ? "" : text.substring(dot).toLowerCase(Locale.ROOT);
  }
}
