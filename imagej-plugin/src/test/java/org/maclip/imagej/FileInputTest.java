package org.maclip.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileSaver;
import ij.io.Opener;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.LUT;
import ij.process.ShortProcessor;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maclip.imagej.ImageConversion.Rule;
import org.maclip.scoring.ImageDecoder;
import org.maclip.scoring.ImageException;
import org.maclip.scoring.ImageInput;
import org.maclip.scoring.MemoryBudget;
import org.maclip.scoring.PixelLimitException;
import org.maclip.scoring.RgbImage;

/** Files opened with ImageJ's opener: measured from their header before ImageJ decodes them. */
class FileInputTest {
  private static final long MB = 1 << 20;

  @TempDir Path dir;

  /** A budget of {@code mb} free, refused with the plugin's own holder and setting. */
  private static MemoryBudget free(long mb) {
    return new MemoryBudget(mb * MB, Settings.MEMORY.holder(), Settings.MEMORY.setting());
  }

  @Test
  void aTiffTooBigForImageJsFreeMemoryIsRefusedFromItsHeaderBeforeImageJDecodesIt()
      throws Exception {
    for (int[] size : new int[][] {{30000, 20000}, {20000, 30000}}) {
      Path big = headerOnlyTiff(size[0], size[1]);
      FileInput input = new FileInput(big, "big.tif", Rule.DISPLAYED, free(100));
      ImageException refused = assertThrows(ImageException.class,
          () -> input.decode(Long.MAX_VALUE));
      // ImageJ's 16-bit plane (2 B/px) and the displayed conversion (3: the header does not tell
      // a 16-bit LUT, so a coloured one is counted; and a ramp's 1 MB): a check after ImageJ had
      // opened the file would count the conversion alone
      long need = 5L * size[0] * size[1] + MB;
      String message = refused.getMessage();
      assertTrue(message.contains("big.tif")
          && message.contains(size[0] + "x" + size[1] + " needs " + (need + MB - 1) / MB + " MB")
          && message.contains("ImageJ has 100 MB free")
          && message.endsWith("raise its maximum in Edit > Options > Memory & Threads"), message);
    }
  }

  @Test
  void thePixelLimitIsAlsoCheckedOnTheHeader() throws Exception {
    Path big = headerOnlyTiff(30000, 20000);
    FileInput input = new FileInput(big, "big.tif", Rule.DISPLAYED, free(100_000));
    PixelLimitException refused = assertThrows(PixelLimitException.class,
        () -> input.decode(1_000_000));
    assertTrue(refused.getMessage().contains("big.tif"), refused.getMessage());
  }

  @Test
  void aFileThatFitsIsOpenedAndConverted() throws Exception {
    Path small = save("small.tif", new ImagePlus("s", new ColorProcessor(30, 20)));
    RgbImage rgb = new FileInput(small, "small.tif", Rule.DISPLAYED, free(1))
        .decode(Long.MAX_VALUE);
    assertEquals(30, rgb.width());
    assertEquals(20, rgb.height());
  }

  @Test
  void theNeedOfEachTiffKindIsImageJsPlanesPlusTheConversion() throws Exception {
    for (int[] size : new int[][] {{300, 200}, {200, 300}}) {
      int w = size[0];
      int h = size[1];
      long px = (long) w * h;
      assertNeed(px + px + MB, tiff(new ByteProcessor(w, h)), Rule.DISPLAYED, w, h);
      ImagePlus red = new ImagePlus("red", new ByteProcessor(w, h));
      red.getProcessor().setLut(LUT.createLutFromColor(Color.red));
      assertNeed(px + 3 * px + MB, save("red" + w + ".tif", red), Rule.DISPLAYED, w, h);
      assertNeed(px + px, tiff(new ByteProcessor(w, h)), Rule.RAW, w, h);
      assertNeed(4 * px + 3 * px, tiff(new ColorProcessor(w, h)), Rule.RAW, w, h);
      assertNeed(4 * px + 4 * px, tiff(new FloatProcessor(w, h)), Rule.RAW, w, h);
      ImageStack slices = new ImageStack(w, h);
      for (int z = 0; z < 3; z++) {
        slices.addSlice(new ShortProcessor(w, h));
      }
      Path stack = save("stack" + w + ".tif", new ImagePlus("z", slices));
      assertNeed(3 * 2 * px + 2 * px + 4 * 65536, stack, Rule.RAW, w, h);
      ImagePlus channels = new ImagePlus("c", slices);
      channels.setDimensions(3, 1, 1);
      Path hyper = save("hyper" + w + ".tif", channels);
      assertNeed(3 * 2 * px + 12 * px + 4 * 65536, hyper, Rule.RAW, w, h);
    }
  }

  @Test
  void formatsReadByImageIoAreMeasuredFromTheirHeader() throws Exception {
    long px = 300 * 200;
    Path rgb = dir.resolve("rgb.png");
    ImageIO.write(new BufferedImage(300, 200, BufferedImage.TYPE_3BYTE_BGR), "png", rgb.toFile());
    // the decoder's image (4 B/px at least), ImageJ's RGB (4), the RGB conversion (3)
    assertNeed(11 * px, rgb, Rule.DISPLAYED, 300, 200);
    Path gray = dir.resolve("gray.png");
    ImageIO.write(new BufferedImage(300, 200, BufferedImage.TYPE_BYTE_GRAY), "png", gray.toFile());
    assertNeed((4 + 4 + 3) * px + MB, gray, Rule.DISPLAYED, 300, 200);
    assertNeed((4 + 4 + 1) * px, gray, Rule.RAW, 300, 200);
  }

  @Test
  void aFormatWhoseHeaderIsNotReadHereIsLeftToImageJ() throws Exception {
    Path pgm = dir.resolve("a.pgm");
    Files.write(pgm, new byte[] {'P', '5', '\n', '2', ' ', '2', '\n', '9', '\n', 1, 2, 3, 4});
    assertEquals(Opener.PGM, new Opener().getFileType(pgm.toString()));
    assertEquals(Optional.empty(), OpenNeed.of(pgm, Opener.PGM, Rule.DISPLAYED));
  }

  /** Photograph files are decoded by maclip's decoder: exactly the command line's pixels. */
  @Test
  void photographFilesGetTheDecodersPixels() throws Exception {
    List<Path> photos = new ArrayList<>();
    for (int orientation = 1; orientation <= 8; orientation++) {
      photos.add(PhotoFiles.jpegWithOrientation(dir, orientation));
    }
    photos.addAll(List.of(PhotoFiles.grayAlphaPng(dir), PhotoFiles.cmykJpeg(dir),
        save("plain8.tif", new ImagePlus("g", new ByteProcessor(40, 30)))));
    for (Path photo : photos) {
      FileInput input = new FileInput(photo, "p", Rule.DISPLAYED, free(100));
      assertEquals(ImageInput.of(photo).name(), input.source().name(), photo.toString());
      RgbImage expected = ImageDecoder.decode(photo, Long.MAX_VALUE);
      RgbImage got = input.decode(Long.MAX_VALUE);
      assertEquals(expected.width(), got.width(), photo.toString());
      assertArrayEquals(expected.pixels(), got.pixels(), photo.toString());
    }
    RgbImage turned = new FileInput(photos.get(5), "p", Rule.DISPLAYED, free(100))
        .decode(Long.MAX_VALUE);
    assertEquals(64, turned.width()); // 96 x 64, turned by orientation 6
    ImageException truncated = assertThrows(ImageException.class,
        () -> new FileInput(PhotoFiles.truncatedJpeg(dir), "cut.jpg", Rule.DISPLAYED, free(100))
            .decode(Long.MAX_VALUE));
    assertTrue(truncated.getMessage().startsWith("cut.jpg: corrupt or truncated image data"),
        truncated.getMessage());
  }

  /** Deeper data, and TIFFs with ImageJ's own display settings, stay with ImageJ's opener. */
  @Test
  void deepDataAndImageJDisplaySettingsAreOpenedByImageJ() throws Exception {
    ImagePlus ranged = new ImagePlus("r", new ByteProcessor(40, 30));
    ranged.setDisplayRange(10, 100);
    ImageStack three = new ImageStack(40, 30);
    for (int c = 0; c < 3; c++) {
      three.addSlice(new ByteProcessor(40, 30));
    }
    ImagePlus channels = new ImagePlus("c", three);
    channels.setDimensions(3, 1, 1);
    Path gray16 = dir.resolve("gray16.png");
    ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_USHORT_GRAY), "png",
        gray16.toFile());
    for (Path file : new Path[] {save("ranged.tif", ranged), save("channels.tif", channels),
        tiff(new ShortProcessor(40, 30)), tiff(new FloatProcessor(40, 30)), gray16}) {
      FileInput input = new FileInput(file, "f", Rule.DISPLAYED, free(100));
      assertEquals("f", input.source().name(), file.toString());
    }
  }

  /** ImageJ's TIFF reader would follow these chains forever; they are refused at once. */
  @Test
  void aTiffWhoseDirectoriesLoopIsRefusedWithoutHanging() throws Exception {
    for (boolean self : new boolean[] {true, false}) {
      Path loop = PhotoFiles.tiffChain(dir, "loop" + self + ".tif", self);
      FileInput input = new FileInput(loop, "loop.tif", Rule.DISPLAYED, free(100));
      ImageException refused = assertTimeoutPreemptively(Duration.ofSeconds(20),
          () -> assertThrows(ImageException.class, () -> input.decode(Long.MAX_VALUE)));
      assertTrue(refused.getMessage().startsWith("loop.tif: a broken TIFF: its directory at byte "
          + (self ? 122 : 8) + " comes again"), refused.getMessage());
    }
  }

  /** An offset past the end and an absurd entry count end the chain: refused, at once. */
  @Test
  void aTiffWithAnOffsetPastTheEndOrAnAbsurdCountIsRefusedAtOnce() throws Exception {
    Path chain = PhotoFiles.tiffChain(dir, "chain.tif", true);
    byte[] bytes = Files.readAllBytes(chain);
    Path pastEnd = dir.resolve("past_end.tif");
    Files.write(pastEnd, ByteBuffer.wrap(bytes.clone()).order(ByteOrder.LITTLE_ENDIAN)
        .putInt(4, 1_000_000_000).array());
    Path absurd = dir.resolve("absurd_count.tif");
    Files.write(absurd, ByteBuffer.wrap(bytes.clone()).order(ByteOrder.LITTLE_ENDIAN)
        .putShort(8, (short) 0xFFFF).array());
    for (Path broken : new Path[] {pastEnd, absurd}) {
      FileInput input = new FileInput(broken, "b.tif", Rule.DISPLAYED, free(100));
      ImageException refused = assertTimeoutPreemptively(Duration.ofSeconds(20),
          () -> assertThrows(ImageException.class, () -> input.decode(Long.MAX_VALUE)));
      assertTrue(refused.getMessage().startsWith("b.tif: "), refused.getMessage());
      assertTrue(!refused.getMessage().contains("Exception"), refused.getMessage());
    }
  }

  /** A 60000 x 60000 header, 8-bit (maclip's decoder) or 16-bit (ImageJ): the pixel limit. */
  @Test
  void aHugeHeaderIsRefusedBeforeAnyPixelIsRead() throws Exception {
    for (int bits : new int[] {8, 16}) {
      Path huge = headerOnlyTiff(dir, 60000, 60000, bits);
      FileInput input = new FileInput(huge, "huge.tif", Rule.DISPLAYED, free(100_000));
      PixelLimitException refused = assertThrows(PixelLimitException.class,
          () -> input.decode(89_478_485));
      assertTrue(refused.getMessage().contains("60000x60000"), refused.getMessage());
    }
  }

  private void assertNeed(long bytes, Path file, Rule rule, int w, int h) {
    int type = new Opener().getFileType(file.toString());
    assertEquals(Optional.of(new OpenNeed(w, h, bytes)), OpenNeed.of(file, type, rule),
        file.getFileName() + " " + rule);
  }

  private Path tiff(ij.process.ImageProcessor ip) {
    String name = ip.getClass().getSimpleName() + ip.getWidth() + ".tif";
    return save(name, new ImagePlus(name, ip));
  }

  private Path save(String name, ImagePlus imp) {
    Path path = dir.resolve(name);
    boolean saved = imp.getStackSize() > 1
        ? new FileSaver(imp).saveAsTiffStack(path.toString())
        : new FileSaver(imp).saveAsTiff(path.toString());
    assertTrue(saved, IJ.getErrorMessage());
    return path;
  }

  /**
   * A little-endian 16-bit gray TIFF (ImageJ opens it) whose header says {@code w × h} but that
   * holds no pixels.
   */
  private Path headerOnlyTiff(int w, int h) throws Exception {
    return headerOnlyTiff(dir, w, h, 16);
  }

  /** A little-endian gray TIFF of {@code bits} a sample, a header with no pixels. */
  static Path headerOnlyTiff(Path dir, int w, int h, int bits) throws Exception {
    short[][] tags = {{256, 4}, {257, 4}, {258, 3}, {259, 3}, {262, 3}, {273, 4}, {277, 3},
        {278, 4}, {279, 4}};
    long[] values = {w, h, bits, 1, 1, 8, 1, h, (long) w * h * bits / 8};
    ByteBuffer b = ByteBuffer.allocate(8 + 2 + 12 * tags.length + 4).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
    b.putShort((short) tags.length);
    for (int i = 0; i < tags.length; i++) {
      b.putShort(tags[i][0]).putShort(tags[i][1]).putInt(1);
      if (tags[i][1] == 3) {
        b.putShort((short) values[i]).putShort((short) 0);
      } else {
        b.putInt((int) values[i]);
      }
    }
    b.putInt(0);
    Path path = dir.resolve("big" + w + "x" + h + "x" + bits + ".tif");
    Files.write(path, b.array());
    return path;
  }
}
