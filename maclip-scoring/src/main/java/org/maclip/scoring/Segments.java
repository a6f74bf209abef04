package org.maclip.scoring;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the metadata of an encoded file lies: a JPEG's marker segments before its first scan, a
 * WebP file's chunks. Walking stops at the first thing that is not a segment; the last segment
 * of a truncated file may end past its end.
 */
final class Segments {
  private static final byte[] RIFF = "RIFF".getBytes(US_ASCII);
  private static final byte[] WEBP = "WEBP".getBytes(US_ASCII);

  private Segments() {}

  /**
   * A JPEG marker segment: {@code FF marker length payload}, from {@code start} (its 0xFF) to
   * {@code end} (exclusive); its payload starts 4 bytes in.
   */
  record JpegSegment(int marker, int start, int end) {
    int payload() {
      return start + 4;
    }
  }

  /** A RIFF chunk of a WebP file, padded to an even size; its payload starts 8 bytes in. */
  record Chunk(String type, int start, int end) {
    int payload() {
      return start + 8;
    }
  }

  /** True for a JPEG's start-of-image marker. */
  static boolean isJpeg(EncodedBytes b) {
    return b.length() >= 2 && b.u16be(0) == 0xFFD8;
  }

  /** True for a RIFF WebP file. */
  static boolean isWebp(EncodedBytes b) {
    return b.startsWith(0, RIFF) && b.startsWith(8, WEBP);
  }

  /** The marker segments of a JPEG before its first scan (or its end). */
  static List<JpegSegment> jpeg(EncodedBytes b) {
    List<JpegSegment> segments = new ArrayList<>();
    int pos = 2;
    while (pos + 4 <= b.length() && b.u8(pos) == 0xFF) {
      int marker = b.u8(pos + 1);
      if (marker == 0xDA || marker == 0xD9) {
        break; // start of scan or end of image: no metadata after this
      }
      int end = pos + 2 + b.u16be(pos + 2); // may lie past the end of a truncated file
      segments.add(new JpegSegment(marker, pos, end));
      pos = end;
    }
    return segments;
  }

  /** The chunks of a WebP file. */
  static List<Chunk> webp(EncodedBytes b) {
    List<Chunk> chunks = new ArrayList<>();
    int pos = 12;
    while (pos + 8 <= b.length()) {
      int length = b.s32le(pos + 4);
      if (length < 0) {
        break;
      }
      String type = new String(b.data(), pos, 4, US_ASCII);
      int end = (int) Math.min(Integer.MAX_VALUE, pos + 8L + length + (length & 1));
      chunks.add(new Chunk(type, pos, end));
      pos = end;
    }
    return chunks;
  }
}
