package org.maclip.cli;

import java.nio.file.Path;
import org.maclip.scoring.ImageException;
import org.maclip.scoring.ImageInput;
import org.maclip.scoring.RgbImage;

/**
 * One file to score: the path as the user will read it in results, the path to open, and the key
 * that identifies the file (its real path) for de-duplication and {@code --resume}. An argument
 * that is no valid path at all is an item too, failing with its reason when scored.
 */
final class FileItem implements ImageInput {
  private final String display;
  private final Path path;
  private final String invalidReason;

  private FileItem(String display, Path path, String invalidReason) {
    this.display = display;
    this.path = path;
    this.invalidReason = invalidReason;
  }

  /** A file (which may not exist: scoring then reports it). */
  static FileItem of(Path path) {
    return new FileItem(path.toString(), path, null);
  }

  /** An entry that is no valid path on this system. */
  static FileItem invalid(String text, String reason) {
    return new FileItem(text, null, reason);
  }

  @Override
  public String name() {
    return display;
  }

  /** The path to open, or null for an invalid entry. */
  Path path() {
    return path;
  }

  /** The normalised absolute real path (or, for a missing file, the normalised absolute path). */
  String key() {
    return path == null ? "invalid:" + display : PathKeys.key(path);
  }

  @Override
  public RgbImage decode(long maxPixels) throws ImageException {
    if (path == null) {
      throw new ImageException(display, invalidReason);
    }
    return ImageInput.of(path).decode(maxPixels);
  }

  @Override
  public ImageInput source() {
    return path == null ? this : ImageInput.of(path);
  }

  @Override
  public String toString() {
    return display;
  }
}
