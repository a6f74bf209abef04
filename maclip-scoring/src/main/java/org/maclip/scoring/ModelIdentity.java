package org.maclip.scoring;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * A model's identity, verified once where it arrives (a download, an install, a release): the
 * sha256 of its ONNX file, streamed from disk, against the manifest's {@code onnx.sha256} and
 * against a sha256 the user expects. The place then records it beside the bundle in {@value
 * #RECORD} (a directory's file; {@code <name>.zip.}{@value #RECORD} beside a zip), one line as
 * {@code sha256sum} writes it, so loading keeps its fast crc32 and still knows that the sha256
 * results name was verified ({@link Bundle.Loaded#sha256Verified()}). Loading refuses a bundle
 * whose record names another sha256 than its manifest: it changed after it arrived.
 */
public final class ModelIdentity {
  /** The record's file name. */
  public static final String RECORD = "sha256.verified";

  private ModelIdentity() {}

  /**
   * Verifies the model of the bundle at {@code path} (a directory or a .zip): its sha256 must be
   * the manifest's and, when given, {@code expected}'s; its crc32 the manifest's.
   *
   * @param expected 64 hex digits, or null when the user expects no particular model
   * @return the verified sha256, lower-case
   * @throws ModelException naming the bundle and the mismatch
   */
  public static String verify(Path path, String expected) {
    return check(path, expected).sha256();
  }

  /** Verifies as {@link #verify} does, then writes the record beside the bundle. */
  public static String verifyAndRecord(Path path, String expected) {
    Verified verified = check(path, expected);
    Path record = recordOf(path);
    try {
      Files.writeString(record, verified.sha256() + "  " + verified.onnxFile() + "\n",
          StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw Bundle.failure(path, "cannot write " + record.getFileName() + " (" + e + ")");
    }
    return verified.sha256();
  }

  private record Verified(String sha256, String onnxFile) {}

  private static Verified check(Path path, String expected) {
    Bundle.Loaded loaded = Bundle.readUnverified(path);
    String actual = loaded.modelSha256();
    String name = loaded.onnxFile();
    if (expected != null && !actual.equalsIgnoreCase(expected)) {
      throw Bundle.failure(path, name + " has sha256 " + actual + ", not the expected "
          + expected.toLowerCase(Locale.ROOT) + ": it is not the model that was asked for");
    }
    if (!actual.equalsIgnoreCase(loaded.bundle().sha256())) {
      throw Bundle.failure(path, name + " does not match the sha256 in " + Bundle.MANIFEST
          + " (expected " + loaded.bundle().sha256() + ", found " + actual
          + "): the file is damaged or was changed after export");
    }
    loaded.verify();
    return new Verified(actual, name);
  }

  /** The sha256 a bundle's record names, or empty when it has none. */
  public static Optional<String> recorded(Path path) {
    Path record = recordOf(path);
    if (!Files.isRegularFile(record)) {
      return Optional.empty();
    }
    String line;
    try {
      line = Files.readString(record, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      throw Bundle.failure(path, "cannot read " + record.getFileName() + " (" + e + ")");
    }
    String sha256 = line.split("\\s+", 2)[0];
    if (!isSha256(sha256)) {
      throw Bundle.failure(path, record.getFileName() + " is not a sha256 line ('" + line + "')");
    }
    return Optional.of(sha256.toLowerCase(Locale.ROOT));
  }

  /** True for 64 hex digits. */
  public static boolean isSha256(String text) {
    return text != null && text.matches("[0-9a-fA-F]{64}");
  }

  /** The sha256 of any file, streamed, lower-case hex. */
  public static String sha256(Path file) {
    return Bundle.Checksum.SHA256.of(file, file, file.getFileName().toString());
  }

  /**
   * Whether the bundle's record (if any) names the manifest's sha256: true when it does, false
   * when there is no record; a refusal when they differ.
   */
  static boolean checkRecord(Bundle bundle, String onnxFile) {
    Optional<String> recorded = recorded(bundle.path());
    if (recorded.isPresent() && !recorded.get().equalsIgnoreCase(bundle.sha256())) {
      throw Bundle.failure(bundle.path(), Bundle.MANIFEST + " names " + onnxFile + " sha256 "
          + bundle.sha256() + ", but the model verified when the bundle arrived was "
          + recorded.get() + " (" + RECORD + "): the bundle was changed since");
    }
    return recorded.isPresent();
  }

  private static Path recordOf(Path path) {
    return Files.isDirectory(path)
        ? path.resolve(RECORD)
        : path.resolveSibling(path.getFileName() + "." + RECORD);
  }
}
