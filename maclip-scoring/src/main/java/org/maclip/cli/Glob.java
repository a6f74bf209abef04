package org.maclip.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Glob patterns as Python's {@code glob(recursive=True)} reads them: {@code *}, {@code ?} and
 * {@code [...]} ({@code [!...]} negated) within one name, {@code **} as a whole name for any number
 * of folders (none included). Wildcards do not match names starting with a dot unless the pattern
 * does. Links to folders are followed, but a folder is never searched twice for the same part of
 * the pattern, so link loops end and every file is found once.
 */
final class Glob {
  private final Path base;
  private final List<Segment> segments;
  private final Lister lister;
  private final Consumer<String> warn;

  private record Segment(String text, Pattern regex) {
    boolean anyFolders() {
      return text.equals("**");
    }

    boolean matches(String name) {
      if (name.startsWith(".") && !text.startsWith(".")) {
        return false;
      }
      return anyFolders() || regex.matcher(name).matches();
    }
  }

  private record Visit(String folder, int segment) {}

  private Glob(Path base, List<Segment> segments, Lister lister, Consumer<String> warn) {
    this.base = base;
    this.segments = segments;
    this.lister = lister;
    this.warn = warn;
  }

  /** True when {@code text} holds a wildcard ({@code * ? [}). */
  static boolean isPattern(String text) {
    return text.indexOf('*') >= 0 || text.indexOf('?') >= 0 || text.indexOf('[') >= 0;
  }

  /** The image files that {@code pattern} matches, sorted by path, each once. */
  static List<Path> expand(String pattern, Lister lister, Consumer<String> warn) {
    boolean absolute = pattern.startsWith("/");
    List<String> parts = new ArrayList<>();
    for (String part : pattern.split("/+")) {
      if (!part.isEmpty()) {
        parts.add(part);
      }
    }
    int firstWild = 0;
    while (firstWild < parts.size() - 1 && !isPattern(parts.get(firstWild))) {
      firstWild++;
    }
    Path base = absolute ? Path.of("/") : null;
    for (String part : parts.subList(0, firstWild)) {
      base = base == null ? Path.of(part) : base.resolve(part);
    }
    List<Segment> segments = new ArrayList<>();
    for (String part : parts.subList(firstWild, parts.size())) {
      segments.add(new Segment(part, Pattern.compile(toRegex(part))));
    }
    return new Glob(base, segments, lister, warn).run();
  }

  private List<Path> run() {
    Set<String> seenFiles = new HashSet<>();
    Set<Visit> visits = new HashSet<>();
    List<Path> found = new ArrayList<>();
    Path start = base == null ? Path.of("") : base;
    if (Files.isDirectory(start)) {
      search(base, 0, visits, seenFiles, found);
    }
    found.sort(Comparator.comparing(Path::toString));
    return found;
  }

  private void search(Path dir, int index, Set<Visit> visits, Set<String> seen, List<Path> found) {
    Path folder = dir == null ? Path.of("") : dir;
    if (!visits.add(new Visit(PathKeys.key(folder.toAbsolutePath()), index))) {
      return;
    }
    Segment segment = segments.get(index);
    boolean last = index == segments.size() - 1;
    if (segment.anyFolders() && !last) {
      search(dir, index + 1, visits, seen, found);
    }
    List<Path> entries;
    try {
      entries = lister.list(folder);
    } catch (IOException e) {
      warn.accept("skipping folder " + Text.printable(folder.toString()) + ": " + Exit.reason(e));
      return;
    }
    entries.sort(Comparator.comparing(Path::toString));
    for (Path entry : entries) {
      String name = entry.getFileName().toString();
      if (!segment.matches(name)) {
        continue;
      }
      Path shown = dir == null ? Path.of(name) : dir.resolve(name);
      boolean isDir = Files.isDirectory(entry);
      if (isDir && (segment.anyFolders() || !last)) {
        search(shown, segment.anyFolders() ? index : index + 1, visits, seen, found);
      } else if (last && !isDir && ImageFiles.isImageName(entry) && Files.isRegularFile(entry)
          && seen.add(PathKeys.key(entry))) {
        found.add(shown);
      }
    }
  }

  /** The regular expression of one name's pattern. */
  static String toRegex(String part) {
    StringBuilder regex = new StringBuilder();
    char[] chars = part.toCharArray();
    for (int i = 0; i < chars.length; i++) {
      char c = chars[i];
      if (c == '*') {
        regex.append(".*");
      } else if (c == '?') {
        regex.append('.');
      } else if (c == '[') {
        int close = classEnd(chars, i);
        if (close < 0) {
          regex.append("\\[");
        } else {
          regex.append(characterClass(Arrays.copyOfRange(chars, i + 1, close)));
          i = close;
        }
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return regex.toString();
  }

  /** Index of the {@code ]} closing a class opened at {@code open}, or -1. */
  private static int classEnd(char[] chars, int open) {
    int i = open + 1;
    if (i < chars.length && chars[i] == '!') {
      i++;
    }
    if (i < chars.length && chars[i] == ']') {
      i++;
    }
    while (i < chars.length && chars[i] != ']') {
      i++;
    }
    return i < chars.length ? i : -1;
  }

  private static String characterClass(char[] body) {
    StringBuilder out = new StringBuilder("[");
    int i = 0;
    if (body.length > 0 && body[0] == '!') {
      out.append('^');
      i = 1;
    }
    for (; i < body.length; i++) {
      char c = body[i];
      if (c == '-' && i > 0 && i < body.length - 1) {
        out.append('-');
      } else if (Character.isLetterOrDigit(c)) {
        out.append(c);
      } else {
        out.append('\\').append(c);
      }
    }
    return out.append(']').toString();
  }
}
