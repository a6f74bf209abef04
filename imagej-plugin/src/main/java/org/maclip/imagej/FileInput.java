package org.maclip.imagej;

import ij.IJ;
import ij.ImagePlus;
import ij.io.Opener;
import java.nio.file.Path;
import org.maclip.scoring.ImageDecoder;
import org.maclip.scoring.ImageException;
import org.maclip.scoring.ImageFormats;
import org.maclip.scoring.ImageInput;
import org.maclip.scoring.RgbImage;

/**
 * An image file opened with ImageJ's own opener (so it is scored as Fiji shows it when opened)
 * and converted by the same rules as an open image: its first plane, all displayed channels. A
 * format ImageJ itself does not know but maclip reads (WebP, PNM) is decoded by maclip.
 */
final class FileInput implements ImageInput {
  /** ImageJ keeps the opener's last error message in a static field. */
  private static final Object OPENER = new Object();

  private final Path path;
  private final String name;
  private final ImageConversion.Rule rule;

  FileInput(Path path, String name, ImageConversion.Rule rule) {
    this.path = path;
    this.name = name;
    this.rule = rule;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public RgbImage decode(long maxPixels) throws ImageException {
    if (ImageFormats.isImageName(path.getFileName().toString())
        && new Opener().getFileType(path.toString()) == Opener.UNKNOWN) {
      return ImageDecoder.decode(path, maxPixels);
    }
    ImagePlus imp = open();
    try {
      PlaneInput.checkSize(name, imp.getWidth(), imp.getHeight(), maxPixels);
      Plane first = Planes.at(imp.getNChannels(), imp.getNSlices(), imp.getC(), 1, 1);
      return ImageConversion.convert(imp, first, rule);
    } catch (IllegalArgumentException e) {
      throw new ImageException(name, e.getMessage(), e);
    } finally {
      imp.flush();
    }
  }

  private ImagePlus open() throws ImageException {
    synchronized (OPENER) {
      ImagePlus imp;
      String message;
      Object macro = MacroGuard.suspend();
      IJ.redirectErrorMessages(); // errors go to the log (and to us), not to a dialog per file
      try {
        imp = new Opener().openImage(path.toString());
        message = IJ.getErrorMessage();
      } catch (RuntimeException | OutOfMemoryError e) {
        throw new ImageException(name, "ImageJ could not read it (" + e + ")", e);
      } finally {
        IJ.redirectErrorMessages(false);
        MacroGuard.resume(macro);
      }
      if (imp == null || imp.getStackSize() == 0) {
        throw new ImageException(name, message != null ? oneLine(message)
            : "ImageJ could not open it as an image (format: "
                + Opener.getFileFormat(path.toString()) + ")");
      }
      return imp;
    }
  }

  private static String oneLine(String text) {
    return text.replaceAll("\\s*\\n\\s*", " ").trim();
  }
}
