package org.maclip.imagej;

import ij.IJ;
import ij.ImagePlus;
import ij.io.Opener;
import java.nio.file.Path;
import java.util.Optional;
import org.maclip.scoring.ImageDecoder;
import org.maclip.scoring.ImageException;
import org.maclip.scoring.ImageInput;
import org.maclip.scoring.MemoryBudget;
import org.maclip.scoring.RgbImage;

/**
 * An image file of Score Folder: a photograph's file (8 bits a sample) decoded by maclip's
 * decoder as the command line decodes it; deeper data opened with ImageJ's own opener (so it is
 * scored as Fiji shows it when opened) and converted by the same rules as an open image: its
 * first plane, all displayed channels ({@link FileRoute}). Not for two threads at once.
 */
final class FileInput implements ImageInput {
  /** ImageJ keeps the opener's last error message in a static field. */
  private static final Object OPENER = new Object();

  private final Path path;
  private final String name;
  private final ImageConversion.Rule rule;
  private final MemoryBudget memory;
  /** ImageJ's file type and the route, read once: the scorer asks for the source, then decodes. */
  private Integer openerType;
  private Boolean byMaclip;

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
   * The file itself, for maclip's decoder, when {@link FileRoute} gives it to maclip (the scorer
   * then checks its header as the command line's does); else this input, opened by ImageJ.
   */
  @Override
  public ImageInput source() {
    return byMaclip() ? ImageInput.of(path) : this;
  }

  /**
   * Decodes the file with maclip's decoder or opens it with ImageJ's opener and converts its
   * first plane ({@link FileRoute}). Before anything is decoded, what the header tells ({@link
   * OpenNeed}) is checked against the pixel limit and the memory; after ImageJ opened it, the
   * image is checked again as an open image's plane is.
   */
  @Override
  public RgbImage decode(long maxPixels) throws ImageException {
    if (!byMaclip() && openerType() == Opener.TIFF) {
      TiffDirectories.check(path, name); // before ImageJ's TIFF reader reads the header
    }
    Optional<OpenNeed> need = byMaclip() ? OpenNeed.decoder(path)
        : OpenNeed.of(path, openerType(), rule);
    if (need.isPresent()) {
      OpenNeed n = need.get();
      PlaneInput.checkSize(name, n.width(), n.height(), maxPixels);
      memory.check(name, n.width(), n.height(), n.bytes());
    }
    if (byMaclip()) {
      try {
        return ImageDecoder.decode(path, maxPixels);
      } catch (ImageException e) {
        throw new ImageException(name, e.reason(), e);
      }
    }
    ImagePlus imp = open();
    try {
      Plane first = Planes.at(imp.getNChannels(), imp.getNSlices(), imp.getC(), 1, 1);
      return PlaneInput.convert(name, imp, first, rule, maxPixels, memory);
    } finally {
      imp.flush();
    }
  }

  private int openerType() {
    if (openerType == null) {
      openerType = new Opener().getFileType(path.toString());
    }
    return openerType;
  }

  private boolean byMaclip() {
    if (byMaclip == null) {
      byMaclip = FileRoute.byMaclip(path, openerType());
    }
    return byMaclip;
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
        throw new ImageException(name, "ImageJ could not read it (" + Reasons.plain(e) + ")", e);
      } finally {
        IJ.redirectErrorMessages(false);
        MacroGuard.resume(macro);
      }
      if (imp == null || imp.getStackSize() == 0) {
        throw new ImageException(name, message != null ? Reasons.plain(message)
            : "ImageJ could not open it as an image (format: "
                + Opener.getFileFormat(path.toString()) + ")");
      }
      return imp;
    }
  }
}
