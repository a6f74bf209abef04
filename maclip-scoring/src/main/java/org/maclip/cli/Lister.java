package org.maclip.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Lists a folder's entries; a seam so that tests can make a folder unreadable even as root. */
@FunctionalInterface
interface Lister {
  Lister FILES = dir -> {
    try (var entries = Files.newDirectoryStream(dir)) {
      List<Path> out = new ArrayList<>();
      entries.forEach(out::add);
      return out;
    }
  };

  /** The entries of {@code dir}, in no particular order. */
  List<Path> list(Path dir) throws IOException;
}
