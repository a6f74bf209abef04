package org.maclip.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Turns command-line arguments into the files to score, in order, each once (by real path).
 *
 * <p>An argument is an image file; a folder (its images; with {@code recursive}, the images of
 * every folder below); a glob pattern ({@code *}, {@code ?}, {@code [...]}, {@code **} across
 * folders: quote it so the shell leaves it alone); or a text file of paths ({@code .txt}, {@code
 * .lst}, {@code .list}: one path a line, blank lines and {@code #} comments ignored, relative paths
 * taken from the list's folder). A file that does not exist is kept: scoring reports it.
 */
final class InputGatherer {
  private final boolean recursive;
  private final Lister lister;
  private final Consumer<String> warn;
  private final TreeWalker walker;

  /** What the arguments name; {@code skippedFolders} counts sub-folders left out without -r. */
  record Gathered(List<FileItem> items, int skippedFolders) {}

  InputGatherer(boolean recursive, Lister lister, Consumer<String> warn) {
    this.recursive = recursive;
    this.lister = lister;
    this.warn = warn;
    this.walker = new TreeWalker(lister, warn);
  }

  /**
   * The files the arguments name.
   *
   * @throws CliException a folder named explicitly cannot be read, a list file cannot be read, or
   *     a pattern matches no image
   */
  Gathered gather(List<String> arguments) {
    Set<String> keys = new HashSet<>();
    List<FileItem> items = new ArrayList<>();
    int skipped = 0;
    for (String argument : arguments) {
      Gathered expanded = expand(argument);
      for (FileItem item : expanded.items()) {
        if (keys.add(item.key())) {
          items.add(item);
        }
      }
      skipped += expanded.skippedFolders();
    }
    return new Gathered(items, skipped);
  }

  private Gathered expand(String argument) {
    Path path;
    try {
      path = Path.of(argument);
    } catch (InvalidPathException e) {
      return only(FileItem.invalid(argument, "not a valid path here (" + e.getReason() + ")"));
    }
    if (Files.isDirectory(path)) {
      return folder(path);
    }
    if (Files.isRegularFile(path) && ImageFiles.isListName(path)) {
      return new Gathered(listFile(path), 0);
    }
    if (!Files.exists(path) && Glob.isPattern(argument)) {
      List<Path> matches = Glob.expand(argument, lister, warn);
      if (matches.isEmpty()) {
        throw new CliException(argument + ": no image files match this pattern");
      }
      return new Gathered(matches.stream().map(FileItem::of).toList(), 0);
    }
    return only(FileItem.of(path));
  }

  private static Gathered only(FileItem item) {
    return new Gathered(List.of(item), 0);
  }

  private Gathered folder(Path path) {
    TreeWalker.Found found;
    try {
      found = walker.walk(path, recursive);
    } catch (IOException e) {
      throw new CliException(
          "cannot read folder " + Text.printable(path.toString()) + ": " + Exit.reason(e), e);
    }
    if (found.skippedFolders() > 0) {
      warn.accept(Text.printable(path.toString()) + ": " + found.skippedFolders()
          + " sub-folder(s) not searched (use -r to descend)");
    }
    return new Gathered(found.images().stream().map(FileItem::of).toList(), found.skippedFolders());
  }

  private static List<FileItem> listFile(Path list) {
    List<FileItem> items = new ArrayList<>();
    try (BufferedReader lines = new BufferedReader(
        new InputStreamReader(Files.newInputStream(list), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        String entry = line.strip();
        if (entry.isEmpty() || entry.startsWith("#")) {
          continue;
        }
        items.add(listEntry(list, entry));
      }
    } catch (IOException e) {
      throw new CliException(
          "cannot read list file " + Text.printable(list.toString()) + ": " + Exit.reason(e), e);
    }
    return items;
  }

  private static FileItem listEntry(Path list, String entry) {
    try {
      Path path = Path.of(entry);
      Path parent = list.getParent();
      if (path.isAbsolute()) {
        return FileItem.of(path);
      }
      return FileItem.of(parent == null ? path : parent.resolve(path));
    } catch (InvalidPathException e) {
      return FileItem.invalid(entry, "not a valid path here (" + e.getReason() + ")");
    }
  }
}
