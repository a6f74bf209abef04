package org.maclip.imagej;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.maclip.scoring.Bundle;
import org.maclip.scoring.ModelException;

/**
 * Installs a model bundle (a .zip, a folder, or the address of a .zip) as a named model of
 * {@link InstalledModels}. All of it happens in a hidden working folder beside the models
 * (download, unpack, check with {@link Bundle}'s own checks: manifest and checksum of the ONNX
 * file); only a checked copy is moved into place, in one rename. A failed or cancelled install
 * leaves the models as they were and removes its working folder.
 */
final class ModelInstaller {
  /** Prefix of the working folders (hidden; never listed as models). */
  static final String WORK_PREFIX = ".installing-";

  /** What was installed. */
  record Installed(String name, Path folder, Bundle bundle, boolean replaced) {}

  private final InstalledModels models;
  private final Download.Progress progress;

  ModelInstaller(InstalledModels models, Download.Progress progress) {
    this.models = models;
    this.progress = progress;
  }

  /**
   * Installs {@code source} as {@code name}.
   *
   * @param source a bundle .zip, a bundle folder (or its maclip.json), or an http(s) address of
   *     a bundle .zip
   * @param name the model's name; blank for the bundle's own ({@link InstalledModels#nameFor})
   * @param replace whether an installed model of that name may be replaced
   * @throws UserError one line: no source, a bad name, the name taken, a failed download, a
   *     bundle that does not check out, a disk that cannot take it
   */
  Installed install(String source, String name, boolean replace) throws UserError {
    String from = source == null ? "" : source.trim();
    if (from.isEmpty()) {
      throw new UserError("no source given: choose a bundle .zip or folder, or give the http(s)"
          + " address of a bundle .zip");
    }
    boolean web = Download.isWebAddress(from);
    if (!web && from.matches("(?i)[a-z][a-z0-9+.-]+://.*")) {
      throw new UserError("cannot install from " + from + ": only http:// and https://"
          + " addresses, .zip files and folders are supported");
    }
    Path local = web ? null : localBundle(from);
    String chosen = name == null || name.isBlank() ? InstalledModels.nameFor(from) : name.trim();
    if (!InstalledModels.isName(chosen)) {
      throw new UserError("'" + chosen + "' cannot be a model's name: use letters, digits, '.',"
          + " '-' and '_', starting with a letter or digit, 64 at most (such as '"
          + InstalledModels.nameFor(chosen) + "')");
    }
    Path target = models.root().resolve(chosen);
    if (Files.exists(target) && !replace) {
      throw taken(chosen, target);
    }
    Path work = workFolder(chosen);
    try {
      Path bundle = local;
      if (web) {
        bundle = work.resolve("download.zip");
        Download.fetch(from, bundle, progress);
      }
      check(bundle, web ? from : bundle.toString());
      Path staged = work.resolve("bundle");
      unpack(bundle, staged);
      Bundle installed = check(staged, target.toString());
      boolean replaced = moveIntoPlace(staged, target, work, replace, chosen);
      return new Installed(chosen, target, installed, replaced);
    } finally {
      delete(work);
    }
  }

  /** The local bundle: a folder, the folder of a chosen maclip.json or visual.onnx, or a file. */
  private static Path localBundle(String from) throws UserError {
    Path path;
    try {
      path = Paths.get(from).toAbsolutePath().normalize();
    } catch (RuntimeException e) {
      throw new UserError("'" + from + "' is not a path (" + e.getMessage() + ")");
    }
    String file = path.getFileName() == null ? "" : path.getFileName().toString();
    if (Files.isRegularFile(path) && (file.equals("maclip.json") || file.equals("visual.onnx"))) {
      path = path.getParent();
    }
    if (!Files.exists(path)) {
      throw new UserError("cannot install from " + path + ": no such file or folder");
    }
    return path;
  }

  private static UserError taken(String name, Path target) {
    return new UserError("a model named '" + name + "' is already installed (" + target
        + "): tick 'Replace' (replace in macros) to replace it, or choose another name");
  }

  /**
   * A new hidden folder beside the models: the download, the unpacked copy, the old model. Those
   * of installs that ImageJ's end cut off (older than a day) are removed first.
   */
  private Path workFolder(String name) throws UserError {
    try {
      Files.createDirectories(models.root());
      removeStale(models.root());
      return Files.createTempDirectory(models.root(), WORK_PREFIX + name + "-");
    } catch (IOException e) {
      throw new UserError("cannot create a folder in " + models.root() + ": "
          + Download.describe(e));
    }
  }

  /** Bundle's checks (manifest, checksum of the ONNX file), its message naming {@code shownAs}. */
  private static Bundle check(Path bundle, String shownAs) throws UserError {
    try {
      return Bundle.load(bundle);
    } catch (ModelException e) {
      throw new UserError(e.getMessage().replace(bundle.toString(), shownAs));
    }
  }

  /** The bundle's top-level files (of its folder, or of its .zip) into {@code staged}. */
  private void unpack(Path bundle, Path staged) throws UserError {
    try {
      Files.createDirectory(staged);
      if (Files.isDirectory(bundle)) {
        List<Path> files;
        try (Stream<Path> list = Files.list(bundle)) {
          files = list.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
          Files.copy(f, staged.resolve(f.getFileName().toString()));
        }
        return;
      }
      try (ZipFile zip = new ZipFile(bundle.toFile())) {
        for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
          ZipEntry entry = e.nextElement();
          String n = entry.getName();
          if (entry.isDirectory() || n.contains("/") || n.contains("\\") || n.startsWith(".")
              || n.isEmpty()) {
            continue; // only the bundle's top-level files; nothing can land outside staged
          }
          try (InputStream in = zip.getInputStream(entry)) {
            Files.copy(in, staged.resolve(n));
          }
        }
      }
    } catch (IOException e) {
      throw new UserError("cannot write the model into " + models.root() + ": "
          + Download.describe(e));
    }
  }

  /**
   * Renames the checked copy to the model's folder. An installed model of that name (when
   * replacing) is first renamed into the working folder, and put back if the second rename fails.
   *
   * @return whether a model was replaced
   */
  private static boolean moveIntoPlace(
      Path staged, Path target, Path work, boolean replace, String name) throws UserError {
    try {
      if (!Files.exists(target)) {
        rename(staged, target);
        return false;
      }
      if (!replace) { // installed meanwhile by another run
        throw taken(name, target);
      }
      Path old = work.resolve("replaced");
      rename(target, old);
      try {
        rename(staged, target);
      } catch (IOException e) {
        rename(old, target);
        throw e;
      }
      return true;
    } catch (IOException e) {
      throw new UserError("cannot move the model into " + target + ": " + Download.describe(e));
    }
  }

  private static void rename(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  private static void removeStale(Path root) {
    Instant dayAgo = Instant.now().minus(Duration.ofDays(1));
    try (Stream<Path> list = Files.list(root)) {
      for (Path p : list.filter(p -> p.getFileName().toString().startsWith(WORK_PREFIX))
          .toList()) {
        if (Files.getLastModifiedTime(p).toInstant().isBefore(dayAgo)) {
          delete(p);
        }
      }
    } catch (IOException e) {
      // left for the next install
    }
  }

  /** Deletes a folder and what it holds, as far as it can. */
  static void delete(Path folder) {
    if (!Files.exists(folder)) {
      return;
    }
    List<IOException> failures = new ArrayList<>();
    try {
      Files.walkFileTree(folder, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          deleteOne(file, failures);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) {
          deleteOne(dir, failures);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      failures.add(e);
    }
    if (!failures.isEmpty()) {
      ij.IJ.log("MA-CLIP: could not remove the temporary folder " + folder + ": "
          + Download.describe(failures.get(0)));
    }
  }

  private static void deleteOne(Path path, List<IOException> failures) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      failures.add(e);
    }
  }
}
