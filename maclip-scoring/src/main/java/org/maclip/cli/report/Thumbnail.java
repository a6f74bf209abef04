package org.maclip.cli.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.maclip.scoring.ImageDecoder;
import org.maclip.scoring.ImageException;
import org.maclip.scoring.RgbImage;
import org.maclip.scoring.ScorerOptions;

/**
 * A small JPEG of an image for the report, base64-encoded: decoded as the scorer decodes it (EXIF
 * orientation, alpha on white, 16-bit), its longer side reduced to at most {@link #MAX_SIDE}
 * pixels by averaging, so every thumbnail is a few kilobytes whatever the image.
 *
 * @param base64 the JPEG, or null when the image could not be read
 * @param note why there is no thumbnail, else null
 */
public record Thumbnail(String base64, String note) {
  /** The longer side of a thumbnail, pixels. */
  public static final int MAX_SIDE = 96;

  /** JPEG quality of thumbnails. */
  static final float QUALITY = 0.7f;

  /** The thumbnail of {@code file}; one that cannot be read gets a note instead. */
  public static Thumbnail of(Path file) {
    if (file == null) {
      return new Thumbnail(null, "no thumbnail: the results do not say where the image is"
          + " (give --images DIR)");
    }
    RgbImage image;
    try {
      image = ImageDecoder.decode(file, ScorerOptions.DEFAULT_MAX_PIXELS);
    } catch (ImageException e) {
      return new Thumbnail(null, "no thumbnail: " + e.reason());
    } catch (OutOfMemoryError e) {
      return new Thumbnail(null, "no thumbnail: too large to decode in this JVM's heap");
    }
    try {
      return new Thumbnail(Base64.getEncoder().encodeToString(jpeg(shrink(image))), null);
    } catch (IOException e) {
      return new Thumbnail(null, "no thumbnail: " + e.getMessage());
    }
  }

  /** {@code image} with its longer side at most {@link #MAX_SIDE}, each pixel a box average. */
  static BufferedImage shrink(RgbImage image) {
    int w = image.width();
    int h = image.height();
    double scale = Math.min(1.0, (double) MAX_SIDE / Math.max(w, h));
    int tw = Math.max(1, (int) Math.round(w * scale));
    int th = Math.max(1, (int) Math.round(h * scale));
    BufferedImage out = new BufferedImage(tw, th, BufferedImage.TYPE_INT_RGB);
    for (int ty = 0; ty < th; ty++) {
      int y0 = ty * h / th;
      int y1 = Math.max(y0 + 1, (ty + 1) * h / th);
      for (int tx = 0; tx < tw; tx++) {
        int x0 = tx * w / tw;
        int x1 = Math.max(x0 + 1, (tx + 1) * w / tw);
        int rgb = 0;
        for (int c = 0; c < 3; c++) {
          double sum = 0;
          for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
              sum += image.value(c, x, y);
            }
          }
          int v = (int) Math.round(255 * sum / ((x1 - x0) * (y1 - y0)));
          rgb = rgb << 8 | Math.max(0, Math.min(255, v));
        }
        out.setRGB(tx, ty, rgb);
      }
    }
    return out;
  }

  private static byte[] jpeg(BufferedImage image) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(QUALITY);
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }
}
