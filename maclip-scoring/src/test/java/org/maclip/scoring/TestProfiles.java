package org.maclip.scoring;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/**
 * Colour profiles embedded in encoded images, for the tests that show them ignored: ImageIO's
 * readers apply them, Pillow (and so the reference) does not. {@link #cmyk()} is a small but
 * complete ICC v2 output profile written here (no CMYK profile ships with the JDK): each ink
 * absorbs its own share of X, Y and Z, so converting with it gives colours far from the naive
 * {@code cmyk2rgb}.
 */
final class TestProfiles {
  private static final double[] WHITE = {0.9642, 1.0, 0.8249}; // D50
  private static final double[][] ABSORBS = {
    {0.75, 0.35, 0.1}, {0.3, 0.8, 0.4}, {0.05, 0.1, 0.85}, {0.9, 0.9, 0.9}
  };

  private TestProfiles() {}

  /** The JDK's linear-RGB profile: far from sRGB in the dark tones. */
  static byte[] linearRgb() {
    return ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
  }

  /** {@code jpeg} with {@code profile} in an APP2 {@code ICC_PROFILE} segment after SOI. */
  static byte[] inJpeg(byte[] jpeg, byte[] profile) {
    byte[] head = ascii("ICC_PROFILE\0");
    ByteBuffer segment = ByteBuffer.allocate(4 + head.length + 2 + profile.length);
    segment.put((byte) 0xFF).put((byte) 0xE2).putShort((short) (segment.capacity() - 2));
    segment.put(head).put((byte) 1).put((byte) 1).put(profile); // chunk 1 of 1
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, 2);
    out.writeBytes(segment.array());
    out.write(jpeg, 2, jpeg.length - 2);
    return out.toByteArray();
  }

  /**
   * A simple-format WebP ({@code RIFF size WEBP} and one image chunk) of {@code width} by {@code
   * height} in the extended format: {@code VP8X} with the profile's flag, {@code ICCP}, the image.
   */
  static byte[] inWebp(byte[] webp, byte[] profile, int width, int height) {
    ByteBuffer extended = ByteBuffer.allocate(18 + 8 + profile.length + (profile.length & 1))
        .order(ByteOrder.LITTLE_ENDIAN);
    extended.put(ascii("VP8X")).putInt(10).put((byte) 0x20).put(new byte[3]);
    extended.put(u24(width - 1)).put(u24(height - 1));
    extended.put(ascii("ICCP")).putInt(profile.length).put(profile);
    ByteBuffer out = ByteBuffer.allocate(webp.length + extended.capacity())
        .order(ByteOrder.LITTLE_ENDIAN);
    out.put(webp, 0, 12).put(extended.array()).put(webp, 12, webp.length - 12);
    out.putInt(4, out.capacity() - 8);
    return out.array();
  }

  private static byte[] u24(int v) {
    return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16)};
  }

  /** A CMYK profile: header, tag table, description, white point, A2B0 and B2A0 (lut16). */
  static byte[] cmyk() {
    byte[] name = ascii("maclip test CMYK");
    int descSize = 12 + name.length + 1 + 4 + 4 + 2 + 1 + 67;
    byte[] toPcs = lut(4, 3, TestProfiles::inksToXyz);
    byte[] fromPcs = lut(3, 4, TestProfiles::xyzToInks);
    int tags = 4;
    int descAt = 128 + 4 + tags * 12;
    int whiteAt = align(descAt + descSize);
    int toPcsAt = align(whiteAt + 20);
    int fromPcsAt = align(toPcsAt + toPcs.length);
    int size = align(fromPcsAt + fromPcs.length);
    ByteBuffer b = ByteBuffer.allocate(size);
    b.putInt(size).putInt(0).putInt(0x02100000).put(ascii("prtrCMYKXYZ "));
    b.position(36).put(ascii("acsp"));
    b.position(68);
    xyz(b, WHITE); // the illuminant
    b.position(128).putInt(tags);
    b.put(ascii("desc")).putInt(descAt).putInt(descSize);
    b.put(ascii("wtpt")).putInt(whiteAt).putInt(20);
    b.put(ascii("A2B0")).putInt(toPcsAt).putInt(toPcs.length);
    b.put(ascii("B2A0")).putInt(fromPcsAt).putInt(fromPcs.length);
    b.position(descAt).put(ascii("desc")).putInt(0).putInt(name.length + 1).put(name);
    b.position(whiteAt).put(ascii("XYZ ")).putInt(0);
    xyz(b, WHITE);
    b.position(toPcsAt).put(toPcs);
    b.position(fromPcsAt).put(fromPcs);
    return b.array();
  }

  private static double[] inksToXyz(double[] inks) {
    double[] xyz = WHITE.clone();
    for (int ink = 0; ink < 4; ink++) {
      for (int o = 0; o < 3; o++) {
        xyz[o] *= 1 - ABSORBS[ink][o] * inks[ink];
      }
    }
    return xyz;
  }

  private static double[] xyzToInks(double[] xyz) {
    double[] inks = new double[4];
    for (int o = 0; o < 3; o++) {
      inks[o] = 1 - Math.min(1, xyz[o] / WHITE[o]);
    }
    return inks;
  }

  /**
   * A lut16Type with two grid points a dimension and identity curves: device values in [0, 1],
   * XYZ as u1Fixed15 (1.0 is 0x8000).
   */
  private static byte[] lut(int inputs, int outputs, UnaryOperator<double[]> map) {
    int corners = 1 << inputs;
    ByteBuffer b = ByteBuffer.allocate(52 + inputs * 4 + corners * outputs * 2 + outputs * 4);
    b.put(ascii("mft2")).putInt(0);
    b.put((byte) inputs).put((byte) outputs).put((byte) 2).put((byte) 0);
    for (int i = 0; i < 9; i++) {
      b.putInt(i % 4 == 0 ? 0x10000 : 0); // identity matrix
    }
    b.putShort((short) 2).putShort((short) 2); // curve entries in and out
    for (int i = 0; i < inputs; i++) {
      b.putShort((short) 0).putShort((short) 0xFFFF);
    }
    double inScale = inputs == 3 ? 65535.0 / 32768 : 1; // XYZ in, or inks
    double outScale = outputs == 3 ? 32768 : 65535;
    for (int corner = 0; corner < corners; corner++) {
      double[] in = new double[inputs];
      for (int i = 0; i < inputs; i++) {
        in[i] = (corner >> (inputs - 1 - i) & 1) * inScale;
      }
      for (double v : map.apply(in)) {
        b.putShort((short) Math.max(0, Math.min(65535, Math.round(v * outScale))));
      }
    }
    for (int o = 0; o < outputs; o++) {
      b.putShort((short) 0).putShort((short) 0xFFFF);
    }
    return b.array();
  }

  private static void xyz(ByteBuffer b, double[] xyz) {
    for (double v : xyz) {
      b.putInt((int) Math.round(v * 65536)); // s15Fixed16
    }
  }

  private static int align(int at) {
    return (at + 3) & ~3;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
