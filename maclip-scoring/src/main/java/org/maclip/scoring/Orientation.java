package org.maclip.scoring;

import static java.nio.charset.StandardCharsets.US_ASCII;

/**
 * EXIF orientation: reading tag 0x0112 from an encoded file's EXIF block and turning the pixels
 * upright as Pillow's {@code ImageOps.exif_transpose} does. Reads the EXIF block of JPEG (APP1),
 * PNG ({@code eXIf}), WebP ({@code EXIF} chunk) and the first IFD of TIFF files. A damaged or
 * absent block gives orientation 1 (unchanged), as the reference ignores broken EXIF.
 */
final class Orientation {
  private static final int TAG_ORIENTATION = 0x0112;

  private Orientation() {}

  private static byte[] ascii(String text) {
    return text.getBytes(US_ASCII);
  }

  /** The EXIF orientation (1 to 8) of an encoded image, 1 when it has none. */
  static int of(byte[] data) {
    try {
      EncodedBytes b = new EncodedBytes(data);
      if (Segments.isJpeg(b)) {
        return fromJpeg(b);
      }
      if (b.startsWith(0, new byte[] {(byte) 0x89, 'P', 'N', 'G'})) {
        return fromPng(b);
      }
      if (Segments.isWebp(b)) {
        return fromWebp(b);
      }
      if (b.startsWith(0, ascii("II*\0")) || b.startsWith(0, ascii("MM\0*"))) {
        return fromTiff(b, 0);
      }
    } catch (IndexOutOfBoundsException e) {
      return 1; // a truncated or damaged EXIF block: leave the pixels as they are
    }
    return 1;
  }

  private static int fromJpeg(EncodedBytes b) {
    for (Segments.JpegSegment segment : Segments.jpeg(b)) {
      if (segment.marker() == 0xE1 && b.startsWith(segment.payload(), ascii("Exif\0\0"))) {
        return fromTiff(b, segment.payload() + 6);
      }
    }
    return 1;
  }

  private static int fromPng(EncodedBytes b) {
    int pos = 8;
    while (pos + 8 <= b.length()) {
      int length = b.s32be(pos);
      if (length < 0) {
        return 1;
      }
      if (b.startsWith(pos + 4, ascii("eXIf"))) {
        int start = pos + 8;
        return fromTiff(b, b.startsWith(start, ascii("Exif\0\0")) ? start + 6 : start);
      }
      pos += 12 + length;
    }
    return 1;
  }

  private static int fromWebp(EncodedBytes b) {
    for (Segments.Chunk chunk : Segments.webp(b)) {
      if (chunk.type().equals("EXIF")) {
        int start = chunk.payload();
        return fromTiff(b, b.startsWith(start, ascii("Exif\0\0")) ? start + 6 : start);
      }
    }
    return 1;
  }

  /** The orientation tag of IFD0 of the TIFF structure at {@code base}, 1 if absent or odd. */
  static int fromTiff(EncodedBytes b, int base) {
    boolean little = b.u8(base) == 'I' && b.u8(base + 1) == 'I';
    if (!little && !(b.u8(base) == 'M' && b.u8(base + 1) == 'M')) {
      return 1;
    }
    int ifd = base + b.s32(base + 4, little);
    int entries = b.u16(ifd, little);
    for (int i = 0; i < entries; i++) {
      int entry = ifd + 2 + 12 * i;
      if (b.u16(entry, little) == TAG_ORIENTATION) {
        int value = b.u16(entry + 8, little);
        return value >= 1 && value <= 8 ? value : 1;
      }
    }
    return 1;
  }

  /**
   * The image turned upright for EXIF orientation {@code orientation}, as Pillow's
   * {@code exif_transpose}: 2 mirror, 3 rotate 180°, 4 flip, 5 transpose, 6 rotate 90°
   * clockwise, 7 transverse, 8 rotate 90° counter-clockwise.
   */
  static RgbImage apply(RgbImage image, int orientation) {
    if (orientation < 2 || orientation > 8) {
      return image;
    }
    int w = image.width();
    int h = image.height();
    boolean swap = orientation >= 5;
    return image.remap(
        swap ? h : w, swap ? w : h, (x, y) -> sourceIndex(orientation, x, y, w, h));
  }

  /** Index {@code sy * w + sx} of the source pixel that lands at output {@code (x, y)}. */
  private static int sourceIndex(int orientation, int x, int y, int w, int h) {
    return switch (orientation) {
      case 2 -> y * w + (w - 1 - x);
      case 3 -> (h - 1 - y) * w + (w - 1 - x);
      case 4 -> (h - 1 - y) * w + x;
      case 5 -> x * w + y;
      case 6 -> (h - 1 - x) * w + y;
      case 7 -> (h - 1 - x) * w + (w - 1 - y);
      case 8 -> x * w + (w - 1 - y);
      default -> y * w + x;
    };
  }
}
