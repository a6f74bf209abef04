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
import java.util.Locale;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.maclip.scoring.Bundle;
import org.maclip.scoring.ModelException;
import org.maclip.scoring.ModelIdentity;

/**
 * Installs a model bundle (a .zip, a folder, or the address of a .zip) as a named model of
 * {@link InstalledModels}. All of it happens in a hidden working folder beside the models
 * (download, unpack, check with {@link Bundle}'s own checks and the model's sha256, streamed from
 * the unpacked copy: {@link ModelIdentity}, which records it); only a checked copy is moved into
 * place, in one rename. Free space is checked before the download and before unpacking, and a
 * .zip's entries and unpacked bytes are bounded ({@link Limits}). A failed or cancelled install
 * leaves the models as they were and removes its working folder.
 */
final class ModelInstaller {
  /** Prefix of the working folders (hidden; never listed as models). */
  static final String WORK_PREFIX = ".installing-";

  /** What was installed; {@code sha256} is its model's, verified. */
  record Installed(String name, Path folder, Bundle bundle, String sha256, boolean replaced) {}

  /**
   * What an install may take.
   *
   * @param maxEntries entries a .zip may hold (a bundle has the files of {@link Bundle#FILES})
   * @param maxBytes bytes a download, or a bundle unpacked, may have
   * @param freeSpace the bytes free on the file system of a folder
   */
  record Limits(int maxEntries, long maxBytes, ToLongFunction<Path> freeSpace) {
    /** 64 entries, 16 GiB (ViT-bigG's encoder is 7.4 GB in fp32), the disk's own free space. */
    static final Limits DEFAULT = new Limits(64, 16L << 30, ModelInstaller::usableSpace);
  }

  private final InstalledModels models;
  private final Download.Progress progress;
  private final Limits limits;

  ModelInstaller(InstalledModels models, Download.Progress progress) {
    this(models, progress, Limits.DEFAULT);
  }

  ModelInstaller(InstalledModels models, Download.Progress progress, Limits limits) {
    this.models = models;
    this.progress = progress;
    this.limits = limits;
  }

  /**
   * Installs {@code source} as {@code name}.
   *
   * @param source a bundle .zip, a bundle folder (or its maclip.json), or an http(s) address of
   *     a bundle .zip
   * @param name the model's name; blank for the bundle's own ({@link InstalledModels#nameFor})
   * @param replace whether an installed model of that name may be replaced
   * @param sha256 the sha256 the model must have (of its visual.onnx, as results name it, or of
   *     the .zip itself); blank for none, which only an https:// address or a local source may
   *     have
   * @throws UserError one line: no source, a bad name, the name taken, a failed download, a
   *     bundle that does not check out, a disk that cannot take it
   */
  Installed install(String source, String name, boolean replace, String sha256)
      throws UserError {
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
    String expected = sha256 == null || sha256.isBlank() ? null : sha256.trim();
    if (expected != null && !ModelIdentity.isSha256(expected)) {
      throw new UserError("'" + expected + "' is not a sha256 (64 hex digits): check the SHA256"
          + " field (sha256= in macros)");
    }
    if (web && expected == null && from.toLowerCase(Locale.ROOT).startsWith("http:")) {
      throw new UserError("cannot install from " + from + " without its sha256: anyone on the"
          + " way can change what an http:// address brings; give the SHA256 (sha256= in"
          + " macros) or an https:// address");
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
        Download.fetch(from, bundle, progress, room(work));
      }
      String shownAs = web ? from : bundle.toString();
      if (expected != null && !Files.isDirectory(bundle)
          && ModelIdentity.sha256(bundle).equalsIgnoreCase(expected)) {
        expected = null; // the .zip itself is the one expected: its model is the one
      }
      Path staged = work.resolve("bundle");
      unpack(bundle, staged, shownAs);
      String verified = verify(staged, expected, shownAs);
      Bundle installed = Bundle.load(staged);
      boolean replaced = moveIntoPlace(staged, target, work, replace, chosen);
      return new Installed(chosen, target, installed, verified, replaced);
    } finally {
      delete(work);
    }
  }

  /** The download's limit: the most a model may have, or the free space if that is less. */
  private Download.Limit room(Path folder) {
    long free = limits.freeSpace().applyAsLong(folder);
    return free < limits.maxBytes()
        ? new Download.Limit(free, "the " + Download.megabytes(free) + " MB free in "
            + models.root())
        : new Download.Limit(limits.maxBytes(), "the " + Download.megabytes(limits.maxBytes())
            + " MB a model may have");
  }

  private static long usableSpace(Path folder) {
    try {
      return Files.getFileStore(folder).getUsableSpace();
    } catch (IOException e) {
      return Long.MAX_VALUE; // unknown: writing will say when the disk is full
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

  /**
   * The unpacked copy's model verified by its sha256 (streamed from disk) against the manifest
   * and {@code expected}, and by Bundle's checks; recorded; messages naming {@code shownAs}.
   */
  private static String verify(Path staged, String expected, String shownAs) throws UserError {
    try {
      return ModelIdentity.verifyAndRecord(staged, expected);
    } catch (ModelException e) {
      throw new UserError(e.getMessage().replace(staged.toString(), shownAs));
    }
  }

  /**
   * The bundle's top-level files (of its folder, or of its .zip) into {@code staged}, after
   * checking that they fit: in the limits, and in the free space. A .zip entry that leads
   * elsewhere ({@code ../}, an absolute path, {@code name:stream}) or has a name Windows
   * reserves is refused; files in subfolders, hidden ones and a record are left out.
   */
  private void unpack(Path bundle, Path staged, String shownAs) throws UserError {
    try {
      Files.createDirectory(staged);
      if (Files.isDirectory(bundle)) {
        List<Path> files;
        try (Stream<Path> list = Files.list(bundle)) {
          files = list.filter(Files::isRegularFile)
              .filter(f -> isBundleFile(f.getFileName().toString())).toList();
        }
        long size = 0;
        for (Path f : files) {
          size += Files.size(f);
        }
        requireRoom(shownAs, size, staged);
        for (Path f : files) {
          Files.copy(f, staged.resolve(f.getFileName().toString()));
        }
        return;
      }
      try (ZipFile zip = new ZipFile(bundle.toFile())) {
        unzip(zip, staged, shownAs);
      } catch (ZipException e) {
        throw new UserError("model bundle " + shownAs + ": not a bundle directory or a valid"
            + " .zip (" + e.getMessage() + ")");
      }
    } catch (IOException e) {
      throw new UserError("cannot write the model into " + models.root() + ": "
          + Download.describe(e));
    }
  }

  private void unzip(ZipFile zip, Path staged, String shownAs) throws IOException, UserError {
    if (zip.size() > limits.maxEntries()) {
      throw bomb(shownAs, "holds " + zip.size() + " entries (a bundle has "
          + Bundle.FILES.size() + "; at most "
          + limits.maxEntries() + " are taken)");
    }
    List<ZipEntry> files = new ArrayList<>();
    long declared = 0;
    for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
      ZipEntry entry = e.nextElement();
      String n = entry.getName();
      if (n.startsWith("/") || n.contains("\\") || n.contains(":")
          || ("/" + n + "/").contains("/../")) {
        throw new UserError("model bundle " + shownAs + ": the .zip holds '" + n + "', a path"
            + " outside its folder or a stream: not installed");
      }
      if (InstalledModels.isReserved(n.replaceFirst("/.*", ""))) {
        throw new UserError("model bundle " + shownAs + ": the .zip holds '" + n + "', a name"
            + " Windows reserves for a device: not installed");
      }
      if (!entry.isDirectory() && isBundleFile(n)) {
        files.add(entry);
        declared += Math.max(0, entry.getSize());
      }
    }
    long room = requireRoom(shownAs, declared, staged);
    long left = room;
    for (ZipEntry entry : files) {
      try (InputStream in = zip.getInputStream(entry)) {
        left -= copyAtMost(in, staged.resolve(entry.getName()), left);
      }
      if (left < 0) {
        throw bomb(shownAs, "unpacks to more than " + Download.megabytes(room) + " MB ("
            + Download.megabytes(declared) + " MB declared)");
      }
    }
  }

  /** Copies at most {@code limit} + 1 bytes; returns how many it copied. */
  private static long copyAtMost(InputStream in, Path file, long limit) throws IOException {
    byte[] buffer = new byte[1 << 16];
    long copied = 0;
    try (var out = Files.newOutputStream(file)) {
      for (int n; copied <= limit && (n = in.read(buffer)) > 0; ) {
        int keep = (int) Math.min(n, limit + 1 - copied);
        out.write(buffer, 0, keep);
        copied += keep;
      }
    }
    return copied;
  }

  private static UserError bomb(String shownAs, String what) {
    return new UserError("model bundle " + shownAs + ": the .zip " + what + ": a damaged or"
        + " hostile .zip (a zip bomb?); not installed");
  }

  /**
   * Refuses {@code size} bytes that exceed the limit or the free space of {@code folder};
   * returns the room there is.
   */
  private long requireRoom(String shownAs, long size, Path folder) throws UserError {
    Download.Limit room = room(folder);
    if (size > room.bytes()) {
      throw new UserError("model bundle " + shownAs + ": unpacked it takes "
          + Download.megabytes(size) + " MB, more than " + room.what() + "; not installed");
    }
    return room.bytes();
  }

  /** A top-level file of a bundle: a safe name, not hidden, not an old record. */
  private static boolean isBundleFile(String name) {
    return InstalledModels.isName(name) && !name.equals(ModelIdentity.RECORD);
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
