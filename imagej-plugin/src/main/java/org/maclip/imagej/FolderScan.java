package org.maclip.imagej;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.maclip.scoring.ImageFormats;

/** The image files of a folder (optionally of its subfolders), by extension, sorted by path. */
final class FolderScan {
  /** The extensions scored unless the user lists others: every format maclip reads. */
  static final String DEFAULT_EXTENSIONS = ImageFormats.SUFFIXES.stream()
      .map(suffix -> suffix.substring(1))
      .collect(Collectors.joining(" "));

  private FolderScan() {}

  /**
   * @param extensions extensions separated by spaces or commas, with or without dots
   * @throws UserError when the folder cannot be read
   */
  static List<Path> list(Path folder, boolean subfolders, String extensions) throws UserError {
    if (!Files.isDirectory(folder)) {
      throw new UserError("folder " + folder + " does not exist");
    }
    Set<String> wanted = parseExtensions(extensions);
    try (Stream<Path> paths = subfolders ? Files.walk(folder) : Files.list(folder)) {
      return paths.filter(Files::isRegularFile)
          .filter(p -> wanted.contains(extension(p)))
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted()
          .toList();
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new UserError("cannot list folder " + folder + ": " + e.getMessage());
    }
  }

  static Set<String> parseExtensions(String text) {
    return Arrays.stream(text.split("[\\s,;]+"))
        .map(s -> s.replaceFirst("^\\*?\\.", "").toLowerCase(Locale.ROOT))
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toSet());
  }

  private static String extension(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }
}
