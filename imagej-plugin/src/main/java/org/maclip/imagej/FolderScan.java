package org.maclip.imagej;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.maclip.scoring.ImageException;
import org.maclip.scoring.ImageFormats;
import org.maclip.scoring.ImageInput;
import org.maclip.scoring.RgbImage;

/**
 * The image files of a folder (optionally of its subfolders, following links to folders), by
 * extension, sorted by path; and every entry that could hold or be an image but cannot be read,
 * with what it is: a folder that cannot be listed, a link that loops or leads nowhere, a FIFO,
 * socket or device, a folder named like an image. Such an entry never stops the scan, and is
 * never opened (reading a FIFO would wait forever).
 */
final class FolderScan {
  /** The extensions scored unless the user lists others: every format maclip reads. */
  static final String DEFAULT_EXTENSIONS = ImageFormats.SUFFIXES.stream()
      .map(suffix -> suffix.substring(1))
      .collect(Collectors.joining(" "));

  private FolderScan() {}

  /**
   * An image file to score, or an entry that cannot be read.
   *
   * @param path the entry
   * @param problem why it is not read, or null for a file to score
   */
  record Entry(Path path, String problem) {
    /** The entry as the scorer takes it, named by its path inside {@code folder}. */
    ImageInput input(Path folder, ImageConversion.Rule rule) {
      String name = folder.relativize(path).toString().replace('\\', '/');
      if (problem == null) {
        return new FileInput(path, name, rule);
      }
      return new ImageInput() {
        @Override
        public String name() {
          return name;
        }

        @Override
        public RgbImage decode(long maxPixels) throws ImageException {
          throw new ImageException(name, problem);
        }
      };
    }
  }

  /**
   * @param extensions extensions separated by spaces or commas, with or without dots
   * @throws UserError when the folder itself does not exist or cannot be listed
   */
  static List<Entry> list(Path folder, boolean subfolders, String extensions) throws UserError {
    requireFolder(folder);
    Set<String> wanted = parseExtensions(extensions);
    Walk walk = new Walk(folder, wanted);
    try {
      Files.walkFileTree(folder, EnumSet.of(FileVisitOption.FOLLOW_LINKS),
          subfolders ? Integer.MAX_VALUE : 1, walk);
    } catch (IOException e) {
      throw new UserError("cannot list folder " + folder + " (" + cause(e) + ")");
    }
    List<Entry> entries = new ArrayList<>(walk.entries);
    entries.sort(Comparator.comparing(Entry::path));
    return entries;
  }

  /** The walk through the folder: what each entry is. */
  static final class Walk extends SimpleFileVisitor<Path> {
    private final Path folder;
    private final Set<String> wanted;
    final List<Entry> entries = new ArrayList<>();

    Walk(Path folder, Set<String> wanted) {
      this.folder = folder;
      this.wanted = wanted;
    }

    @Override
    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
      String name = file.getFileName().toString();
      boolean image = wanted.contains(extension(name));
      if (name.startsWith(".")) {
        return FileVisitResult.CONTINUE;
      }
      if (attrs.isSymbolicLink()) { // a link the walk could not follow
        entries.add(new Entry(file, brokenLink(file)));
      } else if (image && attrs.isRegularFile()) {
        entries.add(new Entry(file, null));
      } else if (image && attrs.isDirectory()) {
        entries.add(new Entry(file, "a folder, not an image file"));
      } else if (image && attrs.isOther()) {
        entries.add(new Entry(file,
            "not a regular file (a FIFO, socket or device), so it is not read"));
      }
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
      if (file.equals(folder)) {
        throw e;
      }
      entries.add(new Entry(file, e instanceof FileSystemLoopException
          ? "a link to a folder that holds it (a loop), so it is not followed"
          : (Files.isDirectory(file) ? "cannot list this folder (" : "cannot read it (")
              + cause(e) + ")"));
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult postVisitDirectory(Path dir, IOException e) {
      if (e != null) {
        entries.add(new Entry(dir, "the listing of this folder broke off (" + cause(e)
            + "); its files listed until then are scored"));
      }
      return FileVisitResult.CONTINUE;
    }
  }

  /** Refuses a folder that does not exist (or is no folder). */
  static void requireFolder(Path folder) throws UserError {
    if (!Files.isDirectory(folder)) {
      throw new UserError("folder " + folder + " does not exist");
    }
  }

  /** Why a link cannot be followed: it leads nowhere, or through a loop of links. */
  private static String brokenLink(Path link) {
    String target;
    try {
      target = Files.readSymbolicLink(link).toString();
    } catch (IOException | UnsupportedOperationException e) {
      target = "?";
    }
    try {
      Files.readAttributes(link, BasicFileAttributes.class);
      return "a link to " + target + " that cannot be followed";
    } catch (NoSuchFileException e) {
      return "a link to " + target + ", which does not exist";
    } catch (FileSystemException e) {
      if (String.valueOf(e.getReason()).contains("levels of symbolic links")) {
        return "a link to " + target + ", which leads back to itself (a loop of links)";
      }
      return "a link to " + target + " that cannot be followed (" + cause(e) + ")";
    } catch (IOException e) {
      return "a link to " + target + " that cannot be followed (" + cause(e) + ")";
    }
  }

  /** A file-system failure in words: "permission denied", "too many levels of symbolic links". */
  private static String cause(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason().toLowerCase(Locale.ROOT);
    }
    return Reasons.plain(e);
  }

  static Set<String> parseExtensions(String text) {
    return Arrays.stream(text.split("[\\s,;]+"))
        .map(s -> s.replaceFirst("^\\*?\\.", "").toLowerCase(Locale.ROOT))
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toSet());
  }

  private static String extension(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }
}
