package org.maclip.cli;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** The key that identifies a file whatever way it was named: its normalised absolute real path. */
final class PathKeys {
  private PathKeys() {}

  /** The real path (links resolved) of {@code path}, or its normalised absolute path if missing. */
  static String key(Path path) {
    Path absolute = path.toAbsolutePath();
    try {
      return absolute.toRealPath().toString();
    } catch (IOException | SecurityException e) {
      return absolute.normalize().toString();
    }
  }

  /** The key of a path written as text (in a results file), relative ones from the current folder. */
  static String key(String text) {
    try {
      return key(Path.of(text));
    } catch (InvalidPathException e) {
      return "invalid:" + text;
    }
  }
}
