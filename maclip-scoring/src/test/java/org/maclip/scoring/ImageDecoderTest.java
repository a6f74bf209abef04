package org.maclip.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decoding: every bad input is one {@link ImageException} with a specific reason, and good inputs
 * decode to the reference's pixels. Files made by Pillow are embedded in base64; their expected
 * pixels are what the reference's {@code maclip.images.load_image} returns for them (times 255).
 */
class ImageDecoderTest {
  @TempDir Path dir;

  static final long LIMIT = ScorerOptions.DEFAULT_MAX_PIXELS;

  /** The reason a file is refused. */
  private String reason(Path file) {
    ImageException e = assertThrows(ImageException.class, () -> ImageDecoder.decode(file, LIMIT));
    assertEquals(file.toString(), e.source());
    return e.reason();
  }

  private String reason(byte[] data) {
    return assertThrows(ImageException.class, () -> ImageDecoder.decode("<bytes>", data, LIMIT))
        .reason();
  }

  static byte[] png(BufferedImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, "png", out));
    return out.toByteArray();
  }

  static BufferedImage gray(int width, int height, int... values) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    image.getRaster().setPixels(0, 0, width, height, values);
    return image;
  }

  static float at(RgbImage image, int channel, int x, int y) {
    return image.pixels()[channel * image.width() * image.height() + y * image.width() + x];
  }

  // ---- refusals ---------------------------------------------------------------------------

  /** The header alone, for a caller that decodes with another decoder (ImageJ's opener). */
  @Test
  void aFilesHeaderIsReadWithoutItsPixels() throws Exception {
    Path png = dir.resolve("gray16.png");
    ImageIO.write(new BufferedImage(30, 20, BufferedImage.TYPE_USHORT_GRAY), "png", png.toFile());
    assertEquals(new ImageDecoder.Header(30, 20, 1, 16, Files.size(png)), ImageDecoder.header(png));
    Path jpeg = dir.resolve("rgb.jpg");
    ImageIO.write(new BufferedImage(20, 30, BufferedImage.TYPE_3BYTE_BGR), "jpg", jpeg.toFile());
    assertEquals(new ImageDecoder.Header(20, 30, 3, 8, Files.size(jpeg)), ImageDecoder.header(jpeg));
    Path text = Files.writeString(dir.resolve("a.png"), "not an image");
    ImageException e = assertThrows(ImageException.class, () -> ImageDecoder.header(text));
    assertTrue(e.getMessage().contains("a.png"), e.getMessage());
  }

  @Test
  void emptyInputsAreRefused() throws IOException {
    Path empty = Files.createFile(dir.resolve("empty.png"));
    assertEquals("empty file (0 bytes)", reason(empty));
    assertEquals("empty input (0 bytes)", reason(new byte[0]));
  }

  @Test
  void missingFilesAndDirectoriesAreRefused() {
    assertEquals("no such file", reason(dir.resolve("nothing.png")));
    assertEquals("is a directory (use -r to score its images)", reason(dir));
  }

  @Test
  void textIsNotAnImage() throws IOException {
    Path text = Files.writeString(dir.resolve("notes.jpg"), "this is not an image\n");
    assertEquals("not an image maclip can read (unknown or corrupt format)", reason(text));
  }

  @Test
  void aTruncatedPngIsRefused() throws IOException {
    byte[] whole = png(gray(64, 64, new int[64 * 64]));
    Path cut = Files.write(dir.resolve("cut.png"), Arrays.copyOf(whole, whole.length / 2));
    assertTrue(reason(cut).startsWith("corrupt or truncated image data"), reason(cut));
  }

  @Test
  void aCorruptPngHeaderIsRefused() throws IOException {
    byte[] data = png(gray(4, 4, new int[16]));
    ByteBuffer.wrap(data).putInt(16, 0); // IHDR width 0
    Path bad = Files.write(dir.resolve("header.png"), data);
    assertTrue(reason(bad).startsWith("corrupt image header ("), reason(bad));
    byte[] shortHeader = Arrays.copyOf(data, 20); // signature and half an IHDR
    assertTrue(reason(shortHeader).startsWith("corrupt image header ("), reason(shortHeader));
  }

  @Test
  void aPpmWithABadSizeLineIsRefused() throws IOException {
    byte[] data = "P6\nabc def\n255\n\0\0\0".getBytes(StandardCharsets.US_ASCII);
    Path bad = Files.write(dir.resolve("bad.ppm"), data);
    assertTrue(reason(bad).startsWith("corrupt image header ("), reason(bad));
  }

  @Test
  void garbageAfterAValidSignatureNeverEscapesAsAnotherException() {
    byte[] data = new byte[300];
    new java.util.Random(3).nextBytes(data);
    byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 26, '\n'};
    System.arraycopy(signature, 0, data, 0, signature.length);
    assertTrue(reason(data).startsWith("corrupt"), reason(data));
  }

  @Test
  void imagesOverThePixelLimitAreRefusedFromTheirHeader() throws IOException, ImageException {
    byte[] data = png(gray(3, 2, 1, 2, 3, 4, 5, 6));
    ImageException e =
        assertThrows(PixelLimitException.class, () -> ImageDecoder.decode("small.png", data, 5));
    assertEquals("3x2 = 6 pixels is over the limit of 5 (decompression-bomb guard)", e.reason());
    assertEquals(3, ImageDecoder.decode("small.png", data, 6).width());
  }

  // ---- pixels -----------------------------------------------------------------------------

  @Test
  void grayIsRepeatedIntoThreeChannels() throws ImageException, IOException {
    RgbImage image = ImageDecoder.decode("g", png(gray(2, 1, 51, 255)), LIMIT);
    for (int c = 0; c < 3; c++) {
      assertEquals(51 / 255f, at(image, c, 0, 0));
      assertEquals(1f, at(image, c, 1, 0));
    }
  }

  @Test
  void sixteenBitRgbKeepsItsPrecision() throws ImageException, IOException {
    ComponentColorModel model =
        new ComponentColorModel(
            ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false, Transparency.OPAQUE,
            DataBuffer.TYPE_USHORT);
    WritableRaster raster = model.createCompatibleWritableRaster(2, 1);
    raster.setPixels(0, 0, 2, 1, new int[] {0x1234, 0x00ff, 0xfffe, 65535, 1, 0});
    byte[] data = png(new BufferedImage(model, raster, false, null));
    RgbImage image = ImageDecoder.decode("rgb16.png", data, LIMIT);
    assertEquals(0x1234 / 65535f, at(image, 0, 0, 0));
    assertEquals(0x00ff / 65535f, at(image, 1, 0, 0)); // 8 bits would make this 0
    assertEquals(0xfffe / 65535f, at(image, 2, 0, 0));
    assertEquals(1 / 65535f, at(image, 1, 1, 0));
  }

  @Test
  void sixteenBitGrayKeepsItsPrecision() throws ImageException, IOException {
    BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
    image.getRaster().setPixels(0, 0, 2, 1, new int[] {300, 65535});
    RgbImage decoded = ImageDecoder.decode("gray16.png", png(image), LIMIT);
    assertEquals(300 / 65535f, at(decoded, 2, 0, 0));
    assertEquals(1f, at(decoded, 0, 1, 0));
  }

  /**
   * (value, alpha) pairs and Pillow's result for each, from {@code Image.alpha_composite(white,
   * Image.new("RGBA", (1, 1), (v, v, v, a))).convert("RGB")}.
   */
  static final int[][] COMPOSITE = {
    {0, 0, 255}, {200, 0, 255}, {200, 1, 255}, {200, 100, 233}, {17, 128, 136},
    {255, 254, 255}, {0, 255, 0}, {123, 77, 215}, {250, 3, 255}
  };

  @Test
  void alphaIsCompositedOnWhiteAsPillowDoes() throws ImageException, IOException {
    for (int[] c : COMPOSITE) {
      assertEquals(c[2], Pixels.overWhite(c[0], c[1]), c[0] + " at alpha " + c[1]);
    }
    BufferedImage rgba = new BufferedImage(COMPOSITE.length, 1, BufferedImage.TYPE_INT_ARGB);
    for (int x = 0; x < COMPOSITE.length; x++) {
      int v = COMPOSITE[x][0];
      rgba.setRGB(x, 0, COMPOSITE[x][1] << 24 | v << 16 | v << 8 | v);
    }
    RgbImage image = ImageDecoder.decode("rgba.png", png(rgba), LIMIT);
    for (int x = 0; x < COMPOSITE.length; x++) {
      assertEquals(COMPOSITE[x][2] / 255f, at(image, 1, x, 0), "pixel " + x);
    }
  }

  @Test
  void palettesAreLookedUp() throws ImageException, IOException {
    byte[] r = {10, (byte) 200, 0, (byte) 255};
    byte[] g = {20, 0, (byte) 128, (byte) 255};
    byte[] b = {30, 0, 64, (byte) 255};
    IndexColorModel palette = new IndexColorModel(2, 4, r, g, b);
    BufferedImage image = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_BINARY, palette);
    image.getRaster().setPixels(0, 0, 4, 1, new int[] {2, 0, 1, 3});
    RgbImage decoded = ImageDecoder.decode("palette.png", png(image), LIMIT);
    assertEquals(0f, at(decoded, 0, 0, 0));
    assertEquals(128 / 255f, at(decoded, 1, 0, 0));
    assertEquals(64 / 255f, at(decoded, 2, 0, 0));
    assertEquals(10 / 255f, at(decoded, 0, 1, 0));
    assertEquals(200 / 255f, at(decoded, 0, 2, 0));
  }

  /** Pillow's {@code exif_transpose} of the gray image [[1, 2, 3], [4, 5, 6]], orientations 1-8. */
  static final int[][][] ORIENTED = {
    {{1, 2, 3}, {4, 5, 6}},
    {{3, 2, 1}, {6, 5, 4}},
    {{6, 5, 4}, {3, 2, 1}},
    {{4, 5, 6}, {1, 2, 3}},
    {{1, 4}, {2, 5}, {3, 6}},
    {{4, 1}, {5, 2}, {6, 3}},
    {{6, 3}, {5, 2}, {4, 1}},
    {{3, 6}, {2, 5}, {1, 4}}
  };

  @Test
  void exifOrientationIsAppliedAsPillowDoes() throws ImageException, IOException {
    byte[] plain = png(gray(3, 2, 40, 80, 120, 160, 200, 240));
    for (int orientation = 1; orientation <= 8; orientation++) {
      byte[] data = withPngChunk(plain, "eXIf", exif(orientation));
      RgbImage image = ImageDecoder.decode("exif.png", data, LIMIT);
      int[][] expected = ORIENTED[orientation - 1];
      assertEquals(expected[0].length, image.width(), "orientation " + orientation);
      assertEquals(expected.length, image.height(), "orientation " + orientation);
      for (int y = 0; y < expected.length; y++) {
        for (int x = 0; x < expected[0].length; x++) {
          float want = expected[y][x] * 40 / 255f;
          assertEquals(want, at(image, 0, x, y), "orientation " + orientation);
        }
      }
    }
  }

  @Test
  void anExifRotatedJpegIsTurnedUpright() throws ImageException, IOException {
    // 32 x 16: left half red, right half blue; orientation 6 turns it 90° clockwise, so the
    // upright image is 16 x 32 with red on top
    BufferedImage image = new BufferedImage(32, 16, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 32; x++) {
        image.setRGB(x, y, x < 16 ? 0xdd1111 : 0x1111dd);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "jpeg", out);
    byte[] jpeg = withApp1(out.toByteArray(), exif(6));
    Path file = Files.write(dir.resolve("rotated.jpg"), jpeg);
    RgbImage decoded = ImageDecoder.decode(file, LIMIT);
    assertEquals(16, decoded.width());
    assertEquals(32, decoded.height());
    assertTrue(at(decoded, 0, 8, 4) > 0.7f && at(decoded, 2, 8, 4) < 0.2f, "red on top");
    assertTrue(at(decoded, 2, 8, 28) > 0.7f && at(decoded, 0, 8, 28) < 0.2f, "blue below");
  }

  @Test
  void bmpGifAndTiffDecode() throws ImageException, IOException {
    BufferedImage image = gray(2, 2, 0, 85, 170, 255);
    BufferedImage rgb = new BufferedImage(2, 2, BufferedImage.TYPE_3BYTE_BGR);
    rgb.getGraphics().drawImage(image, 0, 0, null);
    for (String format : new String[] {"bmp", "tiff"}) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertTrue(ImageIO.write(rgb, format, out), format);
      RgbImage decoded = ImageDecoder.decode("x." + format, out.toByteArray(), LIMIT);
      assertEquals(85 / 255f, at(decoded, 1, 1, 0), 1e-6, format);
      assertEquals(1f, at(decoded, 2, 1, 1), 1e-6, format);
    }
  }

  @Test
  void gifDecodes() throws ImageException, IOException {
    // 16 x 16: the JDK's GIF reader misreads the interlaced rows of its own writer's GIFs of
    // four rows or fewer (Pillow reads them right); larger ones, and Pillow's, read correctly
    byte[] r = {0, (byte) 85, (byte) 170, (byte) 255};
    IndexColorModel palette = new IndexColorModel(8, 4, r, r, r);
    BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_INDEXED, palette);
    int[] indices = new int[256];
    for (int i = 0; i < indices.length; i++) {
      indices[i] = (i * 7 + i / 16) % 4;
    }
    image.getRaster().setPixels(0, 0, 16, 16, indices);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, "gif", out));
    RgbImage decoded = ImageDecoder.decode("x.gif", out.toByteArray(), LIMIT);
    for (int i = 0; i < indices.length; i++) {
      assertEquals((r[indices[i]] & 0xff) / 255f, at(decoded, 1, i % 16, i / 16), "pixel " + i);
    }
  }

  @Test
  void sixteenBitTiffKeepsItsPrecision() throws ImageException, IOException {
    BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
    image.getRaster().setPixels(0, 0, 2, 1, new int[] {300, 40000});
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, "tiff", out));
    RgbImage decoded = ImageDecoder.decode("gray16.tif", out.toByteArray(), LIMIT);
    assertEquals(300 / 65535f, at(decoded, 0, 0, 0));
    assertEquals(40000 / 65535f, at(decoded, 1, 1, 0));
  }

  // Files made by Pillow 13 from an 8 x 8 image of four 4 x 4 quadrants (200, 30, 40),
  // (20, 180, 60), (30, 40, 220), (240, 240, 30); "corners" are the reference's load_image
  // pixels (x255) at (0, 0), (7, 0), (0, 7), (7, 7).

  /** {@code im.save(buf, "WEBP", lossless=True)}. */
  static final String WEBP =
      "UklGRkIAAABXRUJQVlA4TDYAAAAvB8ABAB8gJCC6MZYaa46QgHhpuxmSLCQguhG2GWng/MdZAetAQds2TEmW"
          + "ZEm+DURE/4P+wgc=";

  /** {@code im.convert("CMYK").save(buf, "JPEG", quality=95)} (Adobe, inverted CMYK). */
  static final String CMYK_JPEG =
      "/9j/7gAOQWRvYmUAZAAAAAAA/9sAQwACAQEBAQECAQEBAgICAgIEAwICAgIFBAQDBAYFBgYGBQYGBgcJCAYH"
          + "CQcGBggLCAkKCgoKCgYICwwLCgwJCgoK/8AAFAgACAAIBEMRAE0RAFkRAEsRAP/EAB8AAAEFAQEBAQEBAAAA"
          + "AAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNC"
          + "scEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6"
          + "g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq"
          + "8fLz9PX29/j5+v/aAA4EQwBNAFkASwAAPwDJ8E/CT/iKB+1f8VB/wo//AIUfs/5dP+Em/tr+2d3+3Y/ZvJ/s"
          + "r/pp5nn/AMGz58n/AINhfgB/wtL/AIXf/wAVb9h+w/8ACNf8uHm79/8Aav8A00XGNnv1r5d/4Kaf8E7/APh1"
          + "N/whP/F3/wDhPf8AhPf7S/5l/wDsv7D9h+y/9PFx5u/7X/s7fL/i3cfv5X//2Q==";

  /** Four components written as YCCK (Adobe transform 2) by the JDK's JPEG writer, quality 0.95. */
  static final String YCCK_JPEG =
      "/9j/7gAOQWRvYmUAZQAAAAAC/9sAQwACAQEBAQECAQEBAgICAgIEAwICAgIFBAQDBAYFBgYGBQYGBgcJCAYH"
          + "CQcGBggLCAkKCgoKCgYICwwLCgwJCgoK/9sAQwECAgICAgIFAwMFCgcGBwoKCgoKCgoKCgoKCgoKCgoKCgoK"
          + "CgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoK/8AAFAgACAAIBAEiAAIRAQMRAQQiAP/EAB8AAAEFAQEB"
          + "AQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQy"
          + "gZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0"
          + "dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk"
          + "5ebn6Onq8fLz9PX29/j5+v/aAA4EAQACAAMABAAAPwCx/wAElP8AjIP/AIWB/wAwj+yP7K/6ePN837Z/ubce"
          + "X753dsclFFeB+JfjP8Svh9rUugaBf+RaQbdieVC+3eokb5pI3c5d2PLHGcDAAA6DUfCfh/x1eNrmuQ+ddTY3"
          + "vudM7AEX5UZUGEVRwozjJySTX7i+Ern+2ftHyeX5ezvnOd309KKKK//Z";

  /** Four components without Adobe's marker, by the JDK's JPEG writer, quality 0.95: CMYK to Pillow. */
  static final String FOUR_COMPONENT_JPEG =
      "/9j/2wBDAAIBAQEBAQIBAQECAgICAgQDAgICAgUEBAMEBgUGBgYFBgYGBwkIBgcJBwYGCAsICQoKCgoKBggL"
          + "DAsKDAkKCgr/wAAUCAAIAAgEAREAAhEAAxEABBEA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL"
          + "/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcY"
          + "GRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZ"
          + "mqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oADgQB"
          + "AAIAAwAEAAA/APZ/+C53hL/hpz/hV3/Ew/sT+xP7b/5ZfafO877B7ptx5Xvnd2xz9Ufs3fDb/h3x/bP/ABOv"
          + "+Eu/4S77N/y7fYPsn2Xzf9qbzN32n/Zxs7547D/g3f8AEn/DQf8Awt//AEL+yP7I/wCEf/5afaPN83+0vZNu"
          + "PL987u2Of3P0TW/+Ep83/RfI8jb/AB7t27PsMdK//9k=";

  /** {@code im.save(buf, "JPEG", quality=95, progressive=True)}. */
  static final String PROGRESSIVE_JPEG =
      "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAIBAQEBAQIBAQECAgICAgQDAgICAgUEBAMEBgUGBgYFBgYGBwkI"
          + "BgcJBwYGCAsICQoKCgoKBggLDAsKDAkKCgr/2wBDAQICAgICAgUDAwUKBwYHCgoKCgoKCgoKCgoKCgoKCgoK"
          + "CgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgr/wgARCAAIAAgDASIAAhEBAxEB/8QAFQABAQAAAAAA"
          + "AAAAAAAAAAAAAAX/xAAVAQEBAAAAAAAAAAAAAAAAAAADB//aAAwDAQACEAMQAAABmCOH/8QAFxAAAwEAAAAA"
          + "AAAAAAAAAAAAAAYHFv/aAAgBAQABBQKTr2yP/8QAIBEAAQMCBwAAAAAAAAAAAAAAAQIDBREhAAYSEyIxMv/a"
          + "AAgBAwEBPwF+GjczumTk0bj7npVSmuniLJIHQAsMf//EACARAAECBgMBAAAAAAAAAAAAAAECAwQFBxESEwAG"
          + "ITH/2gAIAQIBAT8BrBMIvrNRY2Wy1WtlvXimwVbJptR9Vc/ST6ef/8QAHRAAAQIHAAAAAAAAAAAAAAAAEgAU"
          + "AQQTJENRYf/aAAgBAQAGPwKfu27eljMiPsNL/8QAGBAAAgMAAAAAAAAAAAAAAAAAABFhsfD/2gAIAQEAAT8h"
          + "y8CBXP/aAAwDAQACAAMAAAAQA//EABcRAQEBAQAAAAAAAAAAAAAAAAERIUH/2gAIAQMBAT8QwAjggz3MwsrV"
          + "V//EABcRAQEBAQAAAAAAAAAAAAAAAAERIYH/2gAIAQIBAT8Q4f1AXvdwlhAA/8QAGBAAAgMAAAAAAAAAAAAA"
          + "AAAAESFR4fD/2gAIAQEAAT8QweCymAf/2Q==";

  /** {@code im.save(buf, "PNG", transparency=(200, 30, 40))}: RGB with tRNS, opaque for Pillow. */
  static final String RGB_TRNS_PNG =
      "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAABnRSTlMAyAAeACiUzoILAAAAJUlEQVR4nGM8"
          + "IafBAAM+00TgbCYGHIB0CUY5jTtwzqUTTrSwAwCZ6AURgt4nDAAAAABJRU5ErkJggg==";

  /** Two frames ({@code save_all=True}); the second is the negative: only the first counts. */
  static final String GIF_TWO_FRAMES =
      "R0lGODdhCAAIAIQAAMwAAP/MAP//AMwAM8wzMwCZMzOZMwDMMzPMM8zMM//MM8z/M///MwDMZgAAzDMAzAAz"
          + "zDMzzAAz/zMz/wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACwAAAAACAAIAAAIPQAJDBB4"
          + "oACCAgQAECBg0KDAhAcMNDCQcGGBiAcgTIDwgAGDBQIiONjIIACDkBIiPACZgIHICBIEKBCwICAAIfkEAQAA"
          + "EwAsAAAAAAgACACEzMwA/8wAzMwz/8wzzP8z//8z/2aZAADMADPMzDPM/zPMzGbM/2bMM8zMM//MAAD/MwD/"
          + "MzP/M8z/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACD0AGzho0IBBAoMCJThQYJCB"
          + "QIILFBhI0EBhwQQKFggoIGDAAQQHHgAYMBIBhJAdCQB4cCDCAQEBOpo8cCAgADs=";

  static final int[][] QUADRANTS = {{200, 30, 40}, {20, 180, 60}, {30, 40, 220}, {240, 240, 30}};

  /** Largest difference, in 8-bit levels, between the decoded corners and {@code expected}. */
  static int cornerError(String base64, int[][] expected) throws ImageException {
    RgbImage image = ImageDecoder.decode("x", Base64.getDecoder().decode(base64), LIMIT);
    assertEquals(8, image.width());
    int[][] corners = {{0, 0}, {7, 0}, {0, 7}, {7, 7}};
    int worst = 0;
    for (int i = 0; i < 4; i++) {
      for (int c = 0; c < 3; c++) {
        int v = Math.round(at(image, c, corners[i][0], corners[i][1]) * 255);
        worst = Math.max(worst, Math.abs(v - expected[i][c]));
      }
    }
    return worst;
  }

  @Test
  void losslessFormatsDecodeExactly() throws ImageException {
    assertEquals(0, cornerError(WEBP, QUADRANTS));
    assertEquals(0, cornerError(RGB_TRNS_PNG, QUADRANTS)); // the tRNS colour stays opaque
    int[][] gifPalette = {{204, 51, 51}, {0, 153, 51}, {51, 51, 204}, {204, 255, 51}};
    assertEquals(0, cornerError(GIF_TWO_FRAMES, gifPalette));
  }

  @Test
  void jpegsDecodeAsPillowDoes() throws ImageException {
    // the JDK's libjpeg and Pillow's libjpeg-turbo agree here to the level (also measured on
    // 640 x 480 photos: baseline, progressive, 4:4:4 and CMYK all identical)
    int[][] cmyk = {{201, 30, 40}, {19, 180, 59}, {30, 40, 220}, {240, 240, 31}};
    assertEquals(0, cornerError(CMYK_JPEG, cmyk));
    int[][] progressive = {{200, 30, 41}, {16, 181, 63}, {24, 43, 223}, {244, 239, 25}};
    assertEquals(0, cornerError(PROGRESSIVE_JPEG, progressive));
  }

  @Test
  void fourComponentJpegsDecodeAsPillowDoes() throws ImageException {
    // Pillow reads every 4-component JPEG as Adobe's inverted CMYK (YCCK through libjpeg's
    // transform); a reader left to itself took the one without Adobe's marker for RGB and alpha
    // (255 levels off) and rounded YCCK its own way (1 level off)
    int[][] ycck = {{52, 181, 211}, {153, 76, 8}, {177, 174, 180}, {32, 42, 172}};
    assertEquals(0, cornerError(YCCK_JPEG, ycck));
    int[][] noMarker = {{231, 98, 88}, {57, 211, 192}, {179, 179, 36}, {119, 158, 227}};
    assertEquals(0, cornerError(FOUR_COMPONENT_JPEG, noMarker));
  }

  @Test
  void embeddedColourProfilesAreIgnoredAsPillowIgnoresThem() throws ImageException {
    // with the profiles applied, the CMYK JPEG's first corner was (255, 255, 0), not (201, 30,
    // 40); an RGB JPEG and a WebP with the linear-RGB profile were up to 73 levels off
    byte[] cmyk = Base64.getDecoder().decode(CMYK_JPEG);
    assertSamePixels(cmyk, TestProfiles.inJpeg(cmyk, TestProfiles.cmyk()));
    byte[] rgb = Base64.getDecoder().decode(PROGRESSIVE_JPEG);
    assertSamePixels(rgb, TestProfiles.inJpeg(rgb, TestProfiles.linearRgb()));
    byte[] webp = Base64.getDecoder().decode(WEBP);
    assertSamePixels(webp, TestProfiles.inWebp(webp, TestProfiles.linearRgb(), 8, 8));
  }

  private static void assertSamePixels(byte[] plain, byte[] profiled) throws ImageException {
    assertTrue(profiled.length > plain.length + 100, "the profile is embedded");
    assertSame(plain, ColourProfiles.ignored(plain), "no copy of a file without a profile");
    assertArrayEquals(ImageDecoder.decode("plain", plain, LIMIT).pixels(),
        ImageDecoder.decode("profiled", profiled, LIMIT).pixels());
  }

  @Test
  void javaImagesConvertAsFilesDo() throws ImageException, IOException {
    BufferedImage image = gray(2, 1, 51, 255);
    RgbImage direct = ImageDecoder.fromBufferedImage("direct", image);
    RgbImage viaFile = ImageDecoder.decode("file", png(image), LIMIT);
    assertArrayEquals(viaFile.pixels(), direct.pixels());
  }

  // ---- helpers that write EXIF ------------------------------------------------------------

  /** A big-endian TIFF block whose IFD0 holds orientation {@code value}. */
  static byte[] exif(int value) {
    ByteBuffer b = ByteBuffer.allocate(26);
    b.put(new byte[] {'M', 'M', 0, 42}).putInt(8);
    b.putShort((short) 1).putShort((short) 0x0112).putShort((short) 3).putInt(1);
    b.putShort((short) value).putShort((short) 0).putInt(0);
    return b.array();
  }

  /** {@code png} with a chunk inserted right after IHDR. */
  static byte[] withPngChunk(byte[] png, String type, byte[] data) {
    ByteBuffer chunk = ByteBuffer.allocate(12 + data.length);
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    chunk.putInt(data.length).put(typeBytes).put(data);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    chunk.putInt((int) crc.getValue());
    int at = 8 + 25; // signature, then IHDR (length, type, 13 bytes, CRC)
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(png, 0, at);
    out.writeBytes(chunk.array());
    out.write(png, at, png.length - at);
    return out.toByteArray();
  }

  /** {@code jpeg} with an APP1 EXIF segment right after SOI. */
  static byte[] withApp1(byte[] jpeg, byte[] tiff) {
    ByteBuffer segment = ByteBuffer.allocate(4 + 6 + tiff.length);
    segment.put((byte) 0xFF).put((byte) 0xE1).putShort((short) (2 + 6 + tiff.length));
    segment.put("Exif\0\0".getBytes(StandardCharsets.US_ASCII)).put(tiff);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, 2);
    out.writeBytes(segment.array());
    out.write(jpeg, 2, jpeg.length - 2);
    return out.toByteArray();
  }
}
