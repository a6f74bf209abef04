package org.maclip.scoring;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import javax.imageio.ImageIO;

/**
 * Run in a JVM of its own with a small heap ({@link MemoryPoolTest}): two large images scored at
 * once on two threads by one scorer under the heap's budget; prints each result's line.
 * Arguments: the bundle, the images' width and height.
 */
public final class TwoLargeImages {
  private TwoLargeImages() {}

  public static void main(String[] args) throws Exception {
    Path bundle = Path.of(args[0]);
    int width = Integer.parseInt(args[1]);
    int height = Integer.parseInt(args[2]);
    List<byte[]> images = List.of(png(width, height, 1), png(width, height, 2));
    try (Scorer scorer = Scorer.open(bundle, ScorerOptions.defaults().withThreads(1))) {
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        String name = "large-" + i + ".png";
        byte[] data = images.get(i);
        Thread t = new Thread(() -> {
          try {
            start.await();
            ScoreResult r = scorer.score(ImageInput.of(name, data));
            System.out.println(name + " " + (r.ok() ? "scored" : "failed: " + r.error()));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        threads.add(t);
        t.start();
      }
      images = null;
      start.countDown();
      for (Thread t : threads) {
        t.join();
      }
    }
  }

  /** A smooth RGB image (small as a PNG, large decoded). */
  private static byte[] png(int width, int height, int seed) throws Exception {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    int[] row = new int[width];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        row[x] = ((x * seed / 16) & 0xff) << 16 | ((y / 16) & 0xff) << 8 | ((x + y) / 32 & 0xff);
      }
      image.setRGB(0, y, width, 1, row, 0, width);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }
}
