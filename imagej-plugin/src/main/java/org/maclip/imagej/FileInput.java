package org.maclip.imagej;

import ij.IJ;
import ij.ImagePlus;
import ij.io.Opener;
import java.nio.file.Path;
import java.util.Optional;
import org.maclip.scoring.ImageDecoder;
import org.maclip.scoring.ImageException;
import org.maclip.scoring.ImageFormats;
import org.maclip.scoring.ImageInput;
import org.maclip.scoring.MemoryBudget;
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
  private final MemoryBudget memory;

  FileInput(Path path, String name, ImageConversion.Rule rule) {
    this(path, name, rule, Settings.MEMORY);
  }

  /** A file whose opening and conversion must fit {@code memory}. */
  FileInput(Path path, String name, ImageConversion.Rule rule, MemoryBudget memory) {
    this.path = path;
    this.name = name;
    this.rule = rule;
    this.memory = memory;
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * Opens the file and converts its first plane. Before ImageJ decodes anything, what the header
   * tells ({@link OpenNeed}) is checked against the pixel limit and the memory; after, the opened
   * image is checked again as an open image's plane is.
   */
  @Override
  public RgbImage decode(long maxPixels) throws ImageException {
    int type = new Opener().getFileType(path.toString());
    if (ImageFormats.isImageName(path.getFileName().toString()) && type == Opener.UNKNOWN) {
      return ImageDecoder.decode(path, maxPixels);
    }
    Optional<OpenNeed> need = OpenNeed.of(path, type, rule);
    if (need.isPresent()) {
      OpenNeed n = need.get();
      PlaneInput.checkSize(name, n.width(), n.height(), maxPixels);
      memory.check(name, n.width(), n.height(), n.bytes());
    }
    ImagePlus imp = open();
    try {
      Plane first = Planes.at(imp.getNChannels(), imp.getNSlices(), imp.getC(), 1, 1);
      return PlaneInput.convert(name, imp, first, rule, maxPixels, memory);
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
