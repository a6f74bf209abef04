package org.maclip.scoring;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Pillow, and so the reference, decodes pixels as the file stores them and ignores an embedded
 * colour profile; ImageIO's JPEG and WebP readers convert them through it (an RGB JPEG with a
 * linear-RGB profile: up to 73 levels apart). So the profile is taken out of the bytes the
 * readers see: a JPEG's APP2 {@code ICC_PROFILE} segments, a WebP file's {@code ICCP} chunk (and
 * its flag in {@code VP8X}). PNG's {@code iCCP} and TIFF's profile tag are ignored by the readers
 * already.
 */
final class ColourProfiles {
  private static final byte[] JPEG_ICC = "ICC_PROFILE\0".getBytes(US_ASCII);
  private static final int WEBP_ICC_FLAG = 0x20;

  private ColourProfiles() {}

  /** {@code data} without its embedded colour profile; {@code data} itself when it has none. */
  static byte[] ignored(byte[] data) {
    EncodedBytes b = new EncodedBytes(data);
    if (Segments.isJpeg(b)) {
      List<int[]> drop = new ArrayList<>();
      for (Segments.JpegSegment s : Segments.jpeg(b)) {
        if (s.marker() == 0xE2 && s.end() <= data.length && b.startsWith(s.payload(), JPEG_ICC)) {
          drop.add(new int[] {s.start(), s.end()});
        }
      }
      return without(data, drop);
    }
    if (Segments.isWebp(b)) {
      List<int[]> drop = new ArrayList<>();
      int flags = -1;
      for (Segments.Chunk c : Segments.webp(b)) {
        if (c.type().equals("ICCP") && c.end() <= data.length) {
          drop.add(new int[] {c.start(), c.end()});
        } else if (c.type().equals("VP8X") && c.payload() < data.length) {
          flags = c.payload();
        }
      }
      byte[] out = without(data, drop);
      if (out != data) {
        int riffSize = out.length - 8;
        for (int i = 0; i < 4; i++) {
          out[4 + i] = (byte) (riffSize >>> (8 * i));
        }
        if (flags >= 0 && flags < drop.get(0)[0]) { // VP8X before ICCP, as the format wants
          out[flags] &= (byte) ~WEBP_ICC_FLAG;
        }
      }
      return out;
    }
    return data;
  }

  /** {@code data} without the {@code [start, end)} ranges, in order; itself when there are none. */
  private static byte[] without(byte[] data, List<int[]> ranges) {
    if (ranges.isEmpty()) {
      return data;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length);
    int from = 0;
    for (int[] range : ranges) {
      out.write(data, from, range[0] - from);
      from = range[1];
    }
    out.write(data, from, data.length - from);
    return out.toByteArray();
  }
}
