package org.maclip.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scorer end to end on the tiny ResNet bundle: order, isolation, batch invariance. */
class ScorerTest {
  @TempDir Path dir;

  static Path bundle() {
    return GoldenTest.golden().resolve("tinyrn");
  }

  static Path image(String name) {
    return GoldenTest.golden().resolve("images").resolve(name);
  }

  /** Images of 7, 2, 3 and 2 views: batches of 3 split the first across three batches. */
  static List<ImageInput> images() {
    return List.of(
        ImageInput.of(image("rgb_512x384.png")),
        ImageInput.of(image("rgb_150x100.png")),
        ImageInput.of(image("gray8_230x400.png")),
        ImageInput.of(image("rgba_240x300.png")));
  }

  static List<ScoreResult> score(ScorerOptions options, List<ImageInput> inputs) {
    try (Scorer scorer = Scorer.open(bundle(), options)) {
      return scorer.scoreAll(inputs);
    }
  }

  /** The batch sizes docs/parity.md names: one view a run, splits inside images, all views at once. */
  static final int[] BATCH_SIZES = {1, 3, 7, 13, 64};

  /**
   * To the bit: every score of every image and view (records compare their doubles exactly)
   * whatever the batch size, and whether the image shares its batches or is scored alone.
   */
  @Test
  void scoresDoNotDependOnBatchSizeOrBatchMates() {
    List<ScoreResult> reference = score(ScorerOptions.defaults().withBatchSize(64), images());
    for (int batch : BATCH_SIZES) {
      List<ScoreResult> results = score(ScorerOptions.defaults().withBatchSize(batch), images());
      assertEquals(reference, results, "batch " + batch);
      for (int i = 0; i < images().size(); i++) {
        ScoreResult alone =
            score(ScorerOptions.defaults().withBatchSize(batch), List.of(images().get(i))).get(0);
        assertEquals(reference.get(i), alone, "image " + i + " alone, batch " + batch);
      }
    }
  }

  @Test
  void aFailedImageNeverStopsTheOthersAndOrderIsKept() throws IOException {
    Path text = Files.writeString(dir.resolve("notes.png"), "not an image");
    List<ImageInput> inputs =
        List.of(
            ImageInput.of(image("rgb_300x250.png")),
            ImageInput.of(dir.resolve("missing.png")),
            ImageInput.of(image("rgb_150x100.png")),
            ImageInput.of(text));
    List<ScoreResult> results = score(ScorerOptions.defaults().withBatchSize(2), inputs);
    assertEquals(4, results.size());
    assertTrue(results.get(0).ok());
    assertEquals("no such file", results.get(1).error());
    assertEquals(dir.resolve("missing.png").toString(), results.get(1).name());
    assertTrue(Double.isNaN(results.get(1).q()));
    assertTrue(results.get(2).ok());
    assertEquals(
        "not an image maclip can read (unknown or corrupt format)", results.get(3).error());
    assertEquals(image("rgb_150x100.png").toString(), results.get(2).name());
  }

  @Test
  void scoreEachStreamsInOrder() {
    List<String> names = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    try (Scorer scorer = Scorer.open(bundle(), ScorerOptions.defaults().withBatchSize(4))) {
      scorer.scoreEach(
          images(),
          (result, done, total) -> {
            names.add(result.name());
            counts.add(done);
            assertEquals(4, total);
          });
    }
    assertEquals(List.of(1, 2, 3, 4), counts);
    assertEquals(images().stream().map(ImageInput::name).toList(), names);
  }

  @Test
  void aResultHoldsItsViewsSizesAndPairs() {
    try (Scorer scorer = Scorer.open(bundle())) {
      ScoreResult r = scorer.score(image("rgb_150x100.png"));
      assertNull(r.error());
      assertEquals(150, r.width());
      assertEquals(100, r.height());
      assertEquals(336, r.preparedWidth());
      assertEquals(224, r.preparedHeight());
      assertEquals(2, r.viewCount());
      assertTrue(r.views().get(1).box().global());
      assertEquals(5, r.pairs().size());
      double mean = (r.views().get(0).q() + r.views().get(1).q()) / 2;
      assertEquals(mean, r.q(), 1e-12);
      assertEquals(1.0, r.wSim() + r.wMag(), 1e-12);
      assertEquals(FusionParams.PAPER, scorer.params());
    }
  }

  @Test
  void aThinImageIsRefusedOnItsPreparedSize() throws IOException {
    Path thin = dir.resolve("thin.png");
    ImageIO.write(new BufferedImage(1, 20_000, BufferedImage.TYPE_BYTE_GRAY), "png", thin.toFile());
    try (Scorer scorer = Scorer.open(bundle())) {
      ScoreResult r = scorer.score(thin);
      assertEquals(
          "prepared size 224x4480000 = 1003520000 pixels is over the limit of 89478485 (the image"
              + " is upscaled so its short side is 224); raise it with"
              + " ScorerOptions.withMaxPixels",
          r.error());
    }
  }

  @Test
  void aRefusalNamesTheSettingOfTheSurfaceWhereItIsRead() throws IOException {
    Path wide = dir.resolve("wide.png");
    ImageIO.write(new BufferedImage(300, 200, BufferedImage.TYPE_BYTE_GRAY), "png", wide.toFile());
    ScorerOptions options =
        ScorerOptions.defaults().withMaxPixels(50_000).withMaxPixelsSetting("maclip.max-pixels");
    try (Scorer scorer = Scorer.open(bundle(), options)) {
      assertEquals(
          "300x200 = 60000 pixels is over the limit of 50000 (decompression-bomb guard); raise it"
              + " with maclip.max-pixels",
          scorer.score(wide).error());
    }
  }

  @Test
  void aRaisedLimitStillStopsAtWhatAnArrayHolds() throws IOException {
    Path thin = dir.resolve("thin.png");
    ImageIO.write(new BufferedImage(1, 20_000, BufferedImage.TYPE_BYTE_GRAY), "png", thin.toFile());
    ScorerOptions unlimited = ScorerOptions.defaults().withMaxPixels(Long.MAX_VALUE);
    try (Scorer scorer = Scorer.open(bundle(), unlimited)) {
      assertEquals(
          "224x4480000 = 1003520000 pixels is more than one image can hold here (715827879)",
          scorer.score(thin).error());
    }
  }

  @Test
  void pixelsOutOfRangeAreRefused() {
    float[] pixels = new float[3 * 4 * 4];
    pixels[5] = 1.5f;
    try (Scorer scorer = Scorer.open(bundle())) {
      ScoreResult r = scorer.score(ImageInput.of("raw", new RgbImage(4, 4, pixels)));
      assertEquals("pixel values must be finite and lie in [0, 1], found 1.5", r.error());
      assertEquals("raw", r.name());
    }
  }

  @Test
  void aCallersPixelsAreLeftAlone() throws ImageException {
    RgbImage image = ImageDecoder.decode(image("rgb_300x250.png"), Long.MAX_VALUE);
    float[] before = image.pixels().clone();
    try (Scorer scorer = Scorer.open(bundle())) {
      double q = scorer.score(ImageInput.of("raw", image)).q();
      assertEquals(scorer.score(image("rgb_300x250.png")).q(), q, 0.0);
    }
    org.junit.jupiter.api.Assertions.assertArrayEquals(before, image.pixels());
  }

  @Test
  void javaImagesScoreAsTheirFiles() throws IOException {
    BufferedImage image = ImageIO.read(image("rgb_300x250.png").toFile());
    try (Scorer scorer = Scorer.open(bundle())) {
      double fromFile = scorer.score(image("rgb_300x250.png")).q();
      assertEquals(fromFile, scorer.score(ImageInput.of("mem", image)).q(), 0.0);
    }
  }

  @Test
  void threadsShareOneScorer() throws Exception {
    List<ScoreResult> expected = score(ScorerOptions.defaults(), images());
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try (Scorer scorer = Scorer.open(bundle(), ScorerOptions.defaults().withBatchSize(3))) {
      List<Future<List<ScoreResult>>> runs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        runs.add(pool.submit(() -> scorer.scoreAll(images())));
      }
      for (Future<List<ScoreResult>> run : runs) {
        List<ScoreResult> results = run.get();
        for (int i = 0; i < results.size(); i++) {
          assertEquals(expected.get(i).q(), results.get(i).q(), 1e-6);
        }
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void cudaFallsBackToTheCpuWhenItCannotStart() {
    try (Scorer scorer = Scorer.open(bundle(), ScorerOptions.defaults().withDevice(Device.CUDA))) {
      // this build's ONNX Runtime jar has no CUDA provider, so the scorer runs on the CPU
      assertEquals(Device.CPU, scorer.device());
      assertTrue(scorer.score(image("rgb_300x250.png")).ok());
    }
  }

  @Test
  void closingTwiceIsHarmless() {
    Scorer scorer = Scorer.open(bundle());
    scorer.close();
    scorer.close();
  }

  @Test
  void aMaxSideBelowTheMinSideIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Scorer.open(bundle(), ScorerOptions.defaults().withMaxSide(100)));
  }

  @Test
  void methodsShareTheCues() {
    ScoreResult maclip = score(ScorerOptions.defaults(), images().subList(0, 1)).get(0);
    ScoreResult clipiqa =
        score(ScorerOptions.defaults().withMethod(Method.CLIPIQA), images().subList(0, 1)).get(0);
    assertEquals(maclip.qSim(), clipiqa.qSim(), 0.0);
    assertEquals(clipiqa.qSim(), clipiqa.q(), 1e-12);
    assertFalse(Math.abs(maclip.q() - clipiqa.q()) < 1e-6);
  }
}
