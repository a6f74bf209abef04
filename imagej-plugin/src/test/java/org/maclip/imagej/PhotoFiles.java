package org.maclip.imagej;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Photograph files that ImageJ's opener and maclip's decoder read differently, made by the tests:
 * a JPEG with an EXIF orientation, gray with alpha, CMYK, a truncated JPEG; and TIFFs whose
 * directory chain loops.
 */
final class PhotoFiles {
  private PhotoFiles() {}

  /** A 96 x 64 RGB JPEG, a gradient with a bright corner, whose EXIF says {@code orientation}. */
  static Path jpegWithOrientation(Path dir, int orientation) throws Exception {
    byte[] jpeg = jpeg(rgb(96, 64));
    ByteBuffer tiff = ByteBuffer.allocate(26); // big-endian TIFF, IFD0 with the orientation
    tiff.put(new byte[] {'M', 'M', 0, 42}).putInt(8);
    tiff.putShort((short) 1).putShort((short) 0x0112).putShort((short) 3).putInt(1);
    tiff.putShort((short) orientation).putShort((short) 0).putInt(0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, 2); // SOI, then APP1 "Exif"
    out.write(new byte[] {(byte) 0xFF, (byte) 0xE1, 0, (byte) (2 + 6 + 26)});
    out.writeBytes("Exif\0\0".getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(tiff.array());
    out.write(jpeg, 2, jpeg.length - 2);
    return write(dir.resolve("orientation" + orientation + ".jpg"), out.toByteArray());
  }

  /** An 8-bit gray PNG with alpha: opaque on the left, fading to transparent on the right. */
  static Path grayAlphaPng(Path dir) throws Exception {
    ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(
        ColorSpace.CS_GRAY), true, false, Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
    WritableRaster raster = model.createCompatibleWritableRaster(80, 60);
    for (int y = 0; y < 60; y++) {
      for (int x = 0; x < 80; x++) {
        raster.setSample(x, y, 0, (x * 3 + y * 2) % 256);
        raster.setSample(x, y, 1, 255 - x * 3);
      }
    }
    Path path = dir.resolve("gray_alpha.png");
    ImageIO.write(new BufferedImage(model, raster, false, null), "png", path.toFile());
    return path;
  }

  /** A CMYK JPEG (four components, as the JDK's writer writes a four-band raster). */
  static Path cmykJpeg(Path dir) throws Exception {
    WritableRaster cmyk = WritableRaster.createInterleavedRaster(
        DataBuffer.TYPE_BYTE, 64, 48, 4, null);
    for (int y = 0; y < 48; y++) {
      for (int x = 0; x < 64; x++) {
        cmyk.setPixel(x, y, new int[] {x * 4, y * 5, (x + y) * 2, 30});
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(cmyk, null, null), null);
    } finally {
      writer.dispose();
    }
    return write(dir.resolve("cmyk.jpg"), bytes.toByteArray());
  }

  /** An RGB JPEG cut off after half of its bytes. */
  static Path truncatedJpeg(Path dir) throws Exception {
    byte[] jpeg = jpeg(rgb(200, 150));
    return write(dir.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));
  }

  /**
   * A little-endian 16-bit gray TIFF of 4 x 4 pixels with two directories whose chain never
   * ends: the second directory's next-directory offset points at itself ({@code selfLoop}) or
   * back at the first.
   */
  static Path tiffChain(Path dir, String name, boolean selfLoop) throws Exception {
    int entries = 9;
    int ifdSize = 2 + 12 * entries + 4;
    int first = 8;
    int second = first + ifdSize;
    int pixels = second + ifdSize;
    ByteBuffer b = ByteBuffer.allocate(pixels + 32).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(first);
    for (int ifd = 0; ifd < 2; ifd++) {
      int[][] tags = {{256, 4, 4}, {257, 4, 4}, {258, 3, 16}, {259, 3, 1}, {262, 3, 1},
          {273, 4, pixels}, {277, 3, 1}, {278, 4, 4}, {279, 4, 32}};
      b.putShort((short) entries);
      for (int[] tag : tags) {
        b.putShort((short) tag[0]).putShort((short) tag[1]).putInt(1);
        if (tag[1] == 3) {
          b.putShort((short) tag[2]).putShort((short) 0);
        } else {
          b.putInt(tag[2]);
        }
      }
      b.putInt(ifd == 0 ? second : selfLoop ? second : first);
    }
    return write(dir.resolve(name), b.array());
  }

  private static BufferedImage rgb(int w, int h) {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        boolean corner = x < w / 4 && y < h / 4;
        image.setRGB(x, y, corner ? 0xFFFFF0 : (x * 255 / w) << 16 | (y * 255 / h) << 8 | 90);
      }
    }
    return image;
  }

  private static byte[] jpeg(BufferedImage image) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "jpg", out);
    return out.toByteArray();
  }

  private static Path write(Path path, byte[] bytes) throws Exception {
    Files.write(path, bytes);
    return path;
  }
}
