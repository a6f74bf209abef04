package org.maclip.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The image files of a folder, or of its whole tree. Links to folders are followed, but no
 * folder is ever entered twice (folders are identified by their real path), so link loops end.
 * A sub-folder that cannot be read is skipped with a warning.
 */
final class TreeWalker {
  private final Lister lister;
  private final Consumer<String> warn;

  TreeWalker(Lister lister, Consumer<String> warn) {
    this.lister = lister;
    this.warn = warn;
  }

  /** What a folder holds: its image files (sorted by path), and its sub-folders not searched. */
  record Found(List<Path> images, int skippedFolders) {}

  /**
   * The images in {@code folder} (with {@code recursive}, in every folder below it), sorted by
   * path.
   *
   * @throws IOException when {@code folder} itself cannot be read
   */
  Found walk(Path folder, boolean recursive) throws IOException {
    List<Path> images = new ArrayList<>();
    Set<String> entered = new HashSet<>();
    entered.add(PathKeys.key(folder));
    List<Path> pending = new ArrayList<>();
    int skipped = scan(folder, lister.list(folder), images, pending);
    while (recursive && !pending.isEmpty()) {
      Path dir = pending.remove(pending.size() - 1);
      if (!entered.add(PathKeys.key(dir))) {
        continue;
      }
      try {
        scan(dir, lister.list(dir), images, pending);
      } catch (IOException e) {
        warn.accept("skipping folder " + Text.printable(dir.toString()) + ": " + Exit.reason(e));
      }
    }
    images.sort(Comparator.comparing(Path::toString));
    return new Found(images, recursive ? 0 : skipped);
  }

  /** Sorts {@code entries} into images and folders; returns the number of folders. */
  private static int scan(Path dir, List<Path> entries, List<Path> images, List<Path> folders) {
    int count = 0;
    for (Path entry : entries) {
      if (Files.isDirectory(entry)) {
        folders.add(entry);
        count++;
      } else if (ImageFiles.isImageName(entry) && Files.isRegularFile(entry)) {
        images.add(entry);
      }
    }
    return count;
  }
}
