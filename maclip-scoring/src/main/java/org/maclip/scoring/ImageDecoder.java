package org.maclip.scoring;

import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.regex.Pattern;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;

/**
 * Files, bytes and {@link BufferedImage}s to {@link RgbImage}s, with one clear {@link
 * ImageException} per bad input and the reference's decisions ({@code maclip.images}): the pixel
 * limit is checked from the header before any pixel is decoded, EXIF orientation is applied, and
 * the pixels are converted by {@link Pixels}. Reads PNG, JPEG (CMYK, YCCK, progressive), BMP,
 * GIF (first frame), TIFF, WebP and PNM, through TwelveMonkeys ImageIO and the JDK's readers.
 * No exception other than {@link ImageException} leaves these methods, whatever the input, but a
 * {@link SetupException} when a part of the decoder itself is missing or cannot load.
 */
public final class ImageDecoder {
  /** Bytes a file is read by at a time (the size of the JDK's temporary native buffer). */
  private static final int READ_CHUNK = 64 * 1024;

  /** The start of Adobe's APP14 marker segment. */
  private static final byte[] ADOBE = "Adobe".getBytes(StandardCharsets.US_ASCII);

  /** Decoder warnings that mean the pixels are incomplete. */
  private static final Pattern TRUNCATED =
      Pattern.compile("premature|truncat|end of (file|stream)|corrupt", Pattern.CASE_INSENSITIVE);

  static {
    registerReaders();
  }

  private ImageDecoder() {}

  /**
   * Registers the TwelveMonkeys readers explicitly, so that they are found whatever class loader
   * loaded this library (ImageJ's plugin class loader, a shaded jar without merged services).
   */
  private static void registerReaders() {
    IIORegistry registry = IIORegistry.getDefaultInstance();
    ImageReaderSpi[] readers = {
      new com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi(),
      new com.twelvemonkeys.imageio.plugins.tiff.TIFFImageReaderSpi(),
      new com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi(),
      new com.twelvemonkeys.imageio.plugins.bmp.BMPImageReaderSpi(),
      new com.twelvemonkeys.imageio.plugins.pnm.PNMImageReaderSpi(),
    };
    for (ImageReaderSpi spi : readers) {
      if (registry.getServiceProviderByClass(spi.getClass()) == null) {
        registry.registerServiceProvider(spi, ImageReaderSpi.class);
      }
    }
  }

  /**
   * A check of an image's size, read from its header before any pixel is decoded; throws to
   * refuse the image.
   */
  @FunctionalInterface
  interface SizeCheck {
    void check(Header header) throws ImageException;
  }

  /**
   * What an image's header tells before decoding.
   *
   * @param bands samples per pixel the decoder will produce (4 when the header does not say)
   * @param bits bits per sample (8 when the header does not say)
   * @param encodedBytes the size of the encoded file
   */
  public record Header(int width, int height, int bands, int bits, long encodedBytes) {}

  /**
   * What an image file's header tells, read without decoding any pixel: for a caller that
   * decodes the file with another decoder (ImageJ's opener) and checks its size first.
   */
  public static Header header(Path path) throws ImageException {
    String name = path.toString();
    try (ImageInputStream stream = ImageIO.createImageInputStream(path.toFile())) {
      if (stream == null) {
        throw new ImageException(name, "cannot read the file");
      }
      ImageReader reader = readerFor(stream, name);
      try {
        reader.setInput(stream, true, true);
        return header(reader, name, stream.length());
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      throw new ImageException(name, "cannot read the image (" + Failures.describe(e) + ")", e);
    }
  }

  /** The decompression-bomb guard: at most {@code maxPixels} pixels. */
  static SizeCheck pixelLimit(String name, long maxPixels) {
    return h -> PixelLimitException.check(name, h.width(), h.height(), maxPixels);
  }

  /** Decodes an image file, refusing more than {@code maxPixels} pixels. */
  public static RgbImage decode(Path path, long maxPixels) throws ImageException {
    return decode(path, pixelLimit(path.toString(), maxPixels));
  }

  /** Decodes an image file whose header size passes {@code check}. */
  static RgbImage decode(Path path, SizeCheck check) throws ImageException {
    String name = path.toString();
    return decode(name, readFile(path, name), check);
  }

  private static byte[] readFile(Path path, String name) throws ImageException {
    if (Files.isDirectory(path)) {
      throw new ImageException(name, "is a directory (use -r to score its images)");
    }
    if (!Files.exists(path)) {
      throw new ImageException(name, "no such file");
    }
    try {
      byte[] data = readInChunks(path);
      if (data.length == 0) {
        throw new ImageException(name, "empty file (0 bytes)");
      }
      return data;
    } catch (AccessDeniedException e) {
      throw new ImageException(name, "cannot read the file (permission denied)", e);
    } catch (IOException | OutOfMemoryError e) {
      throw new ImageException(name, "cannot read the file (" + Failures.describe(e) + ")", e);
    }
  }

  /**
   * The file's bytes, read a chunk at a time: {@link Files#readAllBytes} reads through a
   * temporary native buffer as large as the file, which the JDK then keeps for the thread (a 20
   * MB PNG held twice, once outside the heap).
   */
  private static byte[] readInChunks(Path path) throws IOException {
    try (InputStream in = Files.newInputStream(path)) {
      long size = Files.size(path);
      if (size > Integer.MAX_VALUE - 8) {
        throw new IOException("the file is " + size + " bytes, over the 2 GB a file may have");
      }
      byte[] data = new byte[(int) size];
      int filled = 0;
      while (filled < data.length) {
        int read = in.read(data, filled, Math.min(READ_CHUNK, data.length - filled));
        if (read < 0) {
          return Arrays.copyOf(data, filled); // the file shrank while it was read
        }
        filled += read;
      }
      return data;
    }
  }

  /** Decodes encoded image bytes named {@code name}, refusing more than {@code maxPixels}. */
  public static RgbImage decode(String name, byte[] data, long maxPixels) throws ImageException {
    return decode(name, data, pixelLimit(name, maxPixels));
  }

  /** Decodes encoded image bytes whose header size passes {@code check}. */
  static RgbImage decode(String name, byte[] data, SizeCheck check) throws ImageException {
    if (data.length == 0) {
      throw new ImageException(name, "empty input (0 bytes)");
    }
    try {
      return read(name, data, check);
    } catch (ImageException e) {
      throw e;
    } catch (OutOfMemoryError e) {
      throw new ImageException(name, "not enough memory to decode the image", e);
    } catch (RuntimeException | Error e) {
      if (Failures.isSetup(e)) {
        throw new SetupException("decode images", e);
      }
      throw new ImageException(
          name, "corrupt or truncated image data (" + Failures.describe(e) + ")", e);
    }
  }

  /** Converts pixels already decoded by Java (any type) as {@link #decode} converts files. */
  public static RgbImage fromBufferedImage(String name, BufferedImage image) throws ImageException {
    if (image.getWidth() < 1 || image.getHeight() < 1) {
      throw new ImageException(name, "image has no pixels");
    }
    try {
      return Pixels.toRgb(image, true);
    } catch (RuntimeException | OutOfMemoryError e) {
      throw new ImageException(name, "cannot convert the pixels (" + Failures.describe(e) + ")", e);
    }
  }

  private static RgbImage read(String name, byte[] data, SizeCheck check)
      throws ImageException {
    // in memory: ImageIO's own stream for an InputStream caches to a temporary file
    try (ImageInputStream stream = new ByteArrayImageInputStream(ColourProfiles.ignored(data))) {
      ImageReader reader = readerFor(stream, name);
      try {
        reader.setInput(stream, true, true);
        Header header = header(reader, name, data.length);
        int width = header.width();
        int height = header.height();
        check.check(header);
        if (width < 1 || height < 1) {
          throw new ImageException(name, "image has no pixels (" + width + "x" + height + ")");
        }
        StringBuilder warnings = new StringBuilder();
        reader.addIIOReadWarningListener(collect(warnings));
        RgbImage rgb;
        if (fourComponentJpeg(reader, header)) {
          Raster components = components(reader, name);
          checkWarnings(name, warnings);
          rgb = Pixels.fromJpegComponents(components, adobeYcck(data));
        } else {
          BufferedImage image = pixels(reader, name);
          checkWarnings(name, warnings);
          rgb = Pixels.toRgb(image, !alphaOnlyFromTransparency(data));
        }
        return Orientation.apply(rgb, Orientation.of(data));
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      throw new ImageException(name, "cannot read the image (" + Failures.describe(e) + ")", e);
    }
  }

  private static ImageReader readerFor(ImageInputStream stream, String name)
      throws ImageException {
    Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
    if (!readers.hasNext()) {
      throw new ImageException(name, "not an image maclip can read (unknown or corrupt format)");
    }
    return readers.next();
  }

  /** Size, bands and depth from the header, or why the header cannot be read. */
  private static Header header(ImageReader reader, String name, long encodedBytes)
      throws ImageException {
    int width;
    int height;
    try {
      width = reader.getWidth(0);
      height = reader.getHeight(0);
    } catch (IOException | RuntimeException e) {
      throw new ImageException(name, "corrupt image header (" + Failures.describe(e) + ")", e);
    }
    int bands = 4;
    int bits = 8;
    try {
      ImageTypeSpecifier type = reader.getRawImageType(0);
      if (type != null) {
        bands = type.getNumBands();
        bits = 0;
        for (int b = 0; b < bands; b++) {
          bits = Math.max(bits, type.getBitsPerBand(b));
        }
      }
    } catch (IOException | RuntimeException e) {
      // the header does not say: count the most bands of an 8-bit image
    }
    return new Header(width, height, bands, bits, encodedBytes);
  }

  private static BufferedImage pixels(ImageReader reader, String name) throws ImageException {
    return readPixels(name, () -> reader.read(0));
  }

  /**
   * True for a JPEG of four components (CMYK, YCCK, or four without Adobe's marker): Pillow
   * reads every such file as Adobe's inverted CMYK, whatever its markers and profile say.
   */
  private static boolean fourComponentJpeg(ImageReader reader, Header header) throws IOException {
    return header.bands() == 4 && "jpeg".equalsIgnoreCase(reader.getFormatName());
  }

  /**
   * True where a 4-component JPEG holds YCCK, by libjpeg's rule: it has Adobe's APP14 marker
   * with a transform other than 0 (libjpeg takes an unknown transform for YCCK too).
   */
  private static boolean adobeYcck(byte[] data) {
    EncodedBytes b = new EncodedBytes(data);
    for (Segments.JpegSegment segment : Segments.jpeg(b)) {
      int at = segment.payload();
      if (segment.marker() == 0xEE && segment.end() - at >= 12 && segment.end() <= data.length
          && b.startsWith(at, ADOBE)) {
        return b.u8(at + 11) != 0;
      }
    }
    return false;
  }

  /** The image's samples as the file stores them, unconverted. */
  private static Raster components(ImageReader reader, String name) throws ImageException {
    return readPixels(name, () -> reader.readRaster(0, null));
  }

  private interface PixelRead<T> {
    T read() throws IOException;
  }

  private static <T> T readPixels(String name, PixelRead<T> read) throws ImageException {
    try {
      return read.read();
    } catch (IIOException e) {
      throw new ImageException(
          name, "corrupt or truncated image data (" + Failures.describe(e) + ")", e);
    } catch (IOException e) {
      throw new ImageException(name, "cannot read the image data (" + Failures.describe(e) + ")", e);
    }
  }

  private static void checkWarnings(String name, CharSequence warnings) throws ImageException {
    if (TRUNCATED.matcher(warnings).find()) {
      throw new ImageException(name, "corrupt or truncated image data (" + warnings + ")");
    }
  }

  private static IIOReadWarningListener collect(StringBuilder warnings) {
    return (source, warning) -> {
      if (warnings.length() > 0) {
        warnings.append("; ");
      }
      warnings.append(warning);
    };
  }

  /**
   * True for a PNG whose colour type has no alpha channel (gray or RGB): Java's reader turns
   * its tRNS chunk into alpha, Pillow keeps such an image opaque, and so does the reference.
   */
  static boolean alphaOnlyFromTransparency(byte[] data) {
    EncodedBytes b = new EncodedBytes(data);
    boolean png = b.startsWith(0, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 26, '\n'});
    if (!png || data.length < 26 || !b.startsWith(12, new byte[] {'I', 'H', 'D', 'R'})) {
      return false;
    }
    int colourType = b.u8(25);
    return colourType == 0 || colourType == 2;
  }
}
