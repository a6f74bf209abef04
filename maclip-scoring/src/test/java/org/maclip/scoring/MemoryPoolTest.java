package org.maclip.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Reservations shared by threads: wait while others hold too much, refuse what never fits. */
class MemoryPoolTest {
  private static final long MB = 1 << 20;
  private final MemoryPool pool =
      new MemoryPool(new MemoryBudget(100 * MB, "the test", "give it more"));

  /** Two 60 MB images against 100 MB: the second waits until the first is prepared. */
  @Test
  void anImageThatDoesNotFitBesideAnotherWaitsForIt() throws Exception {
    MemoryPool.Reservation first = pool.reserve("a.png", 10, 10, 60 * MB);
    CompletableFuture<MemoryPool.Reservation> second = CompletableFuture.supplyAsync(() -> {
      try {
        return pool.reserve("b.png", 10, 10, 60 * MB);
      } catch (ImageException e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(300);
    assertFalse(second.isDone(), "reserved beside the first: " + pool.reserved());
    assertEquals(60 * MB, pool.reserved());
    first.close();
    second.get(10, TimeUnit.SECONDS).close();
    first.close(); // a second close changes nothing
    assertEquals(0, pool.reserved());
  }

  @Test
  void imagesThatFitTogetherDoNotWait() throws Exception {
    try (MemoryPool.Reservation a = pool.reserve("a.png", 10, 10, 40 * MB);
        MemoryPool.Reservation b = pool.reserve("b.png", 10, 10, 40 * MB)) {
      assertEquals(80 * MB, pool.reserved());
    }
  }

  /** More than the whole budget: refused at once, even while another image holds memory. */
  @Test
  void anImageThatCannotFitEvenAloneIsRefusedWithoutWaiting() throws Exception {
    try (MemoryPool.Reservation held = pool.reserve("a.png", 10, 10, 60 * MB)) {
      ImageException e = assertThrows(ImageException.class,
          () -> pool.reserve("huge.png", 9000, 9000, 150 * MB));
      assertEquals("huge.png: 9000x9000 needs 150 MB to decode and prepare, the test has 100 MB"
          + " free; give it more", e.getMessage());
      assertEquals(60 * MB, pool.reserved());
    }
  }

  /**
   * Two 6000 x 4000 images (142 MB each by the formula) at once on two threads of one scorer, in
   * a JVM of 200 MB that exits on an OutOfMemoryError as the queue worker does: each image is
   * scored, or refused with the budget's message, and the JVM lives. (Both passing a check of the
   * same free heap, as before the reservations, ended that JVM with status 3.)
   */
  @Test
  void twoLargeImagesOnTwoThreadsUnderASmallHeapNeverKillTheJvm() throws Exception {
    Process child = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx200m",
        "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
        "-cp", System.getProperty("java.class.path"), TwoLargeImages.class.getName(),
        BundleTest.tinyrn().toString(), "6000", "4000")
        .redirectErrorStream(true).start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(child.waitFor(5, TimeUnit.MINUTES), out);
    assertEquals(0, child.exitValue(), out);
    List<String> lines = out.lines().filter(l -> l.startsWith("large-")).sorted().toList();
    assertEquals(2, lines.size(), out);
    for (String line : lines) {
      assertTrue(line.endsWith(" scored") || line.matches(".* failed: 6000x4000 needs \\d+ MB to"
          + " decode and prepare, the JVM heap has \\d+ MB free; raise its maximum with -Xmx"),
          line);
    }
    assertTrue(lines.stream().anyMatch(l -> l.endsWith(" scored")), out);
  }

  /** The scorer's preparer holds the reservation while it decodes, and releases it after. */
  @Test
  void aPreparedImageReleasesItsReservation() throws Exception {
    MemoryBudget budget = new MemoryBudget(100 * MB, "the test", "give it more");
    Preparer preparer = new Preparer(Views.Config.paper(), Long.MAX_VALUE,
        new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f}, budget);
    byte[] png = java.nio.file.Files.readAllBytes(
        GoldenTest.golden().resolve("images/rgb_300x250.png"));
    java.lang.reflect.Field field = Preparer.class.getDeclaredField("memory");
    field.setAccessible(true);
    MemoryPool its = (MemoryPool) field.get(preparer);
    preparer.prepare(ImageInput.of("a.png", png));
    assertEquals(0, its.reserved());
  }
}
