package org.maclip.cli;

import java.nio.file.Path;
import java.util.Set;
import org.maclip.scoring.ImageFormats;

/**
 * Which file names are images when folders and patterns are searched (the library's {@link
 * ImageFormats}), and which are lists of paths.
 */
final class ImageFiles {
  /** Suffixes of text files listing one path per line. */
  static final Set<String> LIST_EXTENSIONS = Set.of(".txt", ".lst", ".list");

  private ImageFiles() {}

  static boolean isImageName(Path path) {
    return ImageFormats.isImageName(name(path));
  }

  static boolean isListName(Path path) {
    return LIST_EXTENSIONS.contains(ImageFormats.suffix(name(path)));
  }

  private static String name(Path path) {
    Path name = path.getFileName();
    return name == null ? "" : name.toString();
  }
}
