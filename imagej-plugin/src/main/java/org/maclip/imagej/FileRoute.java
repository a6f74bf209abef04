package org.maclip.imagej;

import ij.io.FileInfo;
import ij.io.Opener;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.maclip.scoring.ImageDecoder;
import org.maclip.scoring.ImageException;
import org.maclip.scoring.ImageFormats;

/**
 * Who decodes an image file in Score Folder: maclip's decoder, as the command line and the
 * function do, or ImageJ's opener, under the plugin's rule for open images.
 *
 * <p>Files of at most 8 bits a sample (JPEG, GIF, BMP, WebP, 8-bit PNG, PNM and TIFF) go to
 * maclip's decoder, so that they get the command line's Q: EXIF orientation applied, alpha
 * composited on white, CMYK read, a truncated file refused (ImageJ's opener does none of these).
 * Deeper data (16-bit PNG, PNM and TIFF, float TIFF) and TIFFs that carry ImageJ's own display
 * settings (several channels, or a display range) go to ImageJ's opener and are scored as
 * displayed, or {@code raw}, as an open image is.
 */
final class FileRoute {
  /** An ImageJ TIFF description that sets what ImageJ displays: channels, or a display range. */
  private static final Pattern IMAGEJ_DISPLAY =
      Pattern.compile("(?m)^(channels=([2-9]|\\d\\d+)|min=|max=)");

  private FileRoute() {}

  /** True when maclip's decoder reads {@code path}, of ImageJ's file type {@code openerType}. */
  static boolean byMaclip(Path path, int openerType) {
    return switch (openerType) {
      case Opener.JPEG, Opener.GIF, Opener.BMP -> true;
      case Opener.PNG, Opener.PGM -> atMost8Bits(path, true);
      case Opener.TIFF -> atMost8Bits(path, false) && !imageJDisplay(path);
      case Opener.UNKNOWN -> ImageFormats.isImageName(path.getFileName().toString());
      default -> false;
    };
  }

  /**
   * Whether the header says at most 8 bits a sample; {@code unreadable} when maclip cannot read
   * the header (true: its decoder says why; false for a TIFF: ImageJ's own TIFF reader tries).
   */
  private static boolean atMost8Bits(Path path, boolean unreadable) {
    try {
      return ImageDecoder.header(path).bits() <= 8;
    } catch (ImageException e) {
      return unreadable;
    }
  }

  /** Whether ImageJ's description in the first directory sets channels or a display range. */
  private static boolean imageJDisplay(Path path) {
    try {
      TiffDirectories.check(path, path.toString());
      FileInfo[] info = Opener.getTiffFileInfo(path.toString());
      return info != null && info.length > 0 && info[0].description != null
          && IMAGEJ_DISPLAY.matcher(info[0].description).find();
    } catch (ImageException | RuntimeException | OutOfMemoryError e) {
      return false;
    }
  }
}
