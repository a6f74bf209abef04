package org.maclip.imagej;

import ij.io.FileInfo;
import ij.io.Opener;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.maclip.imagej.ImageConversion.Drawing;
import org.maclip.scoring.ImageDecoder;
import org.maclip.scoring.ImageException;

/**
 * What opening a file with ImageJ's opener and converting its first plane will need, read from
 * the file's header before ImageJ decodes anything: ImageJ's own copy of every plane it opens
 * plus {@link ImageConversion#conversionBytes} for the first. An upper bound, like the library's
 * {@code MemoryBudget.need}.
 *
 * <ul>
 *   <li>TIFF, through ImageJ's own TIFF header reader: every directory of the first one's size
 *       and type becomes a plane, as ImageJ opens it; an ImageJ stack's {@code images=} count;
 *       ImageJ's samples: 1 byte (8-bit, indexed, bilevel), 2 (12 to 16-bit; 48-bit RGB is three
 *       16-bit planes), 4 (32-bit and RGB, which ImageJ packs into an int).
 *   <li>PNG (the 16-bit ones ImageJ opens, {@link FileRoute}), through maclip's header reader:
 *       the decoder's image (at least 4 bytes a pixel, AWT's packed pixels) beside ImageJ's
 *       processor (4, or 6 for 16-bit RGB).
 *   <li>A file maclip's decoder reads itself ({@link #decoder}): the decoder's image alone.
 *   <li>Any other format (DICOM, FITS, PGM, ZIP, AVI, what Fiji's extra readers open): no cheap
 *       header is read here; it is checked only once ImageJ has opened it.
 * </ul>
 *
 * @param width the first plane's width
 * @param height the first plane's height
 * @param bytes bytes ImageJ's opener and the conversion need together
 */
record OpenNeed(int width, int height, long bytes) {
  private static final Pattern CHANNELS = Pattern.compile("(?m)^channels=(\\d+)");

  /**
   * The need of {@code path}, of ImageJ's file type {@code openerType} ({@link
   * Opener#getFileType}), converted by {@code rule}; empty when its header is not read here or
   * cannot be read (ImageJ's opener then says what is wrong with the file).
   */
  static Optional<OpenNeed> of(Path path, int openerType, ImageConversion.Rule rule) {
    return switch (openerType) {
      case Opener.TIFF -> tiff(path, rule);
      case Opener.PNG -> decoderHeader(path, rule);
      default -> Optional.empty();
    };
  }

  private static Optional<OpenNeed> decoderHeader(Path path, ImageConversion.Rule rule) {
    try {
      return Optional.of(fromDecoderHeader(ImageDecoder.header(path), rule));
    } catch (ImageException e) {
      return Optional.empty();
    }
  }

  /**
   * The need of a file that maclip's decoder reads ({@link FileRoute}): the decoder's image, from
   * its header; empty when the header cannot be read (the decoder then says why).
   */
  static Optional<OpenNeed> decoder(Path path) {
    try {
      ImageDecoder.Header h = ImageDecoder.header(path);
      return Optional.of(new OpenNeed(h.width(), h.height(), decoderBytes(h)));
    } catch (ImageException e) {
      return Optional.empty();
    }
  }

  /** The decoder's image: AWT's packed pixels (4 bytes) at least, else every band it has. */
  private static long decoderBytes(ImageDecoder.Header h) {
    return (long) h.width() * h.height() * Math.max(4, h.bands() * (h.bits() > 8 ? 2 : 1));
  }

  private static Optional<OpenNeed> tiff(Path path, ImageConversion.Rule rule) {
    FileInfo[] info;
    try {
      info = Opener.getTiffFileInfo(path.toString());
    } catch (RuntimeException | OutOfMemoryError e) { // absurd counts in a broken header
      return Optional.empty();
    }
    if (info == null || info.length == 0 || info[0].width < 1 || info[0].height < 1) {
      return Optional.empty(); // ImageJ's opener gives the error
    }
    FileInfo first = info[0];
    long planes = 0;
    for (FileInfo fi : info) {
      if (fi.width == first.width && fi.height == first.height && fi.fileType == first.fileType) {
        planes += Math.max(fi.nImages, 1);
      }
    }
    int bitDepth;
    int sampleBytes;
    int channels = channels(first.description);
    // ImageJ writes a LUT that is not gray as a TIFF colour map (COLOR8); a 16-bit LUT is unknown
    boolean grayLut = false;
    switch (first.fileType) {
      case FileInfo.GRAY8, FileInfo.BITMAP -> {
        bitDepth = 8;
        sampleBytes = 1;
        grayLut = true;
      }
      case FileInfo.COLOR8 -> {
        bitDepth = 8;
        sampleBytes = 1;
      }
      case FileInfo.GRAY16_SIGNED, FileInfo.GRAY16_UNSIGNED, FileInfo.GRAY12_UNSIGNED,
          FileInfo.GRAY10_UNSIGNED -> {
        bitDepth = 16;
        sampleBytes = 2;
      }
      case FileInfo.RGB48, FileInfo.RGB48_PLANAR -> {
        bitDepth = 16;
        sampleBytes = 2;
        planes *= 3;
        channels = 3;
      }
      case FileInfo.GRAY24_UNSIGNED, FileInfo.GRAY32_INT, FileInfo.GRAY32_UNSIGNED,
          FileInfo.GRAY32_FLOAT, FileInfo.GRAY64_FLOAT -> {
        bitDepth = 32;
        sampleBytes = 4;
      }
      default -> { // RGB in any order or planarity, with alpha, CMYK: ImageJ's packed RGB
        bitDepth = 24;
        sampleBytes = 4;
      }
    }
    long pixels = (long) first.width * first.height;
    long opened = planes * pixels * sampleBytes;
    Drawing drawing = channels > 1 ? Drawing.MIXED : grayLut ? Drawing.GRAY : Drawing.COLOUR;
    long conversion = ImageConversion.conversionBytes(pixels, bitDepth, drawing, rule);
    return Optional.of(new OpenNeed(first.width, first.height, opened + conversion));
  }

  /** An ImageJ hyperstack's channel count ({@code channels=} in its description), else 1. */
  private static int channels(String description) {
    Matcher m = description == null ? null : CHANNELS.matcher(description);
    return m != null && m.find() ? Integer.parseInt(m.group(1)) : 1;
  }

  private static OpenNeed fromDecoderHeader(ImageDecoder.Header h, ImageConversion.Rule rule) {
    long pixels = (long) h.width() * h.height();
    boolean deep = h.bits() > 8;
    boolean colour = h.bands() >= 3;
    long decoder = decoderBytes(h);
    long imageJ = pixels * (colour && deep ? 6 : 4);
    int bitDepth = colour ? (deep ? 16 : 24) : (deep ? 16 : 8);
    // a 16-bit gray PNG is gray; one 8-bit band may be a palette
    Drawing drawing = colour && deep ? Drawing.MIXED
        : !colour && deep ? Drawing.GRAY : Drawing.COLOUR;
    long conversion = ImageConversion.conversionBytes(pixels, bitDepth, drawing, rule);
    return new OpenNeed(h.width(), h.height(), decoder + imageJ + conversion);
  }
}
