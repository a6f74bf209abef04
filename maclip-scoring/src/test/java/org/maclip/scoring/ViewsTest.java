package org.maclip.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Prepared sizes and view boxes against the reference's rules. The expected sizes and counts are
 * what {@code maclip.views.prepared_size} and {@code count_views} return for the same cases
 * (with the reference installed, {@code python -c "from maclip.views import ViewConfig, prepared_size,
 * count_views; print(prepared_size(h, w, ViewConfig(...)), count_views(h, w, ViewConfig(...)))"}).
 */
class ViewsTest {
  static Views.Config paper() {
    return Views.Config.paper();
  }

  static Views.Config maxSide(int side) {
    return new Views.Config(224, 128, 224, true, side, Optional.empty());
  }

  static Views.Config preResize(int width, int height) {
    return new Views.Config(
        224, 128, 224, true, 0, Optional.of(new ScorerOptions.Size(width, height)));
  }

  static void assertPrepared(
      int width, int height, Views.Config config, long w, long h, int views) {
    assertEquals(new Views.Frame(w, h), Views.preparedSize(width, height, config));
    assertEquals(views, Views.countViews(width, height, config));
  }

  @Test
  void imagesUnder224AreUpscaledSoTheShortSideIs224() {
    assertPrepared(150, 100, paper(), 336, 224, 2); // scale 2.24
    assertPrepared(200, 260, paper(), 224, 292, 2); // 260 * 1.12 = 291.2, rounded up
    assertPrepared(225, 223, paper(), 227, 224, 2); // 225 * 224 / 223 = 226.0089..., up
    assertPrepared(7, 3, paper(), 523, 224, 4);
  }

  @Test
  void thinImagesGrowEnormous() {
    assertPrepared(10, 5000, paper(), 224, 112_000, 875); // (112000 - 224) / 128 + 1 + global
    assertPrepared(1, 20_000, paper(), 224, 4_480_000, 35_000);
  }

  @Test
  void sizesThatAreNotMultiplesOf128KeepTheirSize() {
    assertPrepared(300, 250, paper(), 300, 250, 2);
    assertPrepared(512, 384, paper(), 512, 384, 7);
  }

  @Test
  void maxSideCapsTheLongerSideWithPythonRounding() {
    assertPrepared(512, 384, maxSide(300), 300, 225, 2); // 384 * 300 / 512 = 225.0
    // 1001 / 2 = 500.5 rounds to the even 500, as Python's round() does (Math.round: 501)
    assertPrepared(2000, 1001, maxSide(1000), 1000, 500, 22);
    // 333 * 0.6 = 199.8 -> 200, then upscaled by 1.12: 600 * 1.12 = 672.0000000000001 -> 672
    assertPrepared(1000, 333, maxSide(600), 672, 224, 5);
  }

  @Test
  void preResizeReplacesTheNativeSize() {
    assertPrepared(512, 384, preResize(448, 448), 448, 448, 5);
    assertPrepared(50, 60, preResize(300, 100), 672, 224, 5); // then upscaled
  }

  @Test
  void boxesComeRowByRowThenTheGlobalView() {
    List<ViewBox> boxes = Views.viewBoxes(512, 384, paper());
    List<ViewBox> expected =
        List.of(
            new ViewBox(0, 0, 224, 224, false),
            new ViewBox(0, 128, 224, 224, false),
            new ViewBox(0, 256, 224, 224, false),
            new ViewBox(128, 0, 224, 224, false),
            new ViewBox(128, 128, 224, 224, false),
            new ViewBox(128, 256, 224, 224, false),
            new ViewBox(0, 0, 384, 512, true));
    assertEquals(expected, boxes);
  }

  @Test
  void patchesThatDoNotFitAreDropped() {
    // 351 wide: starts 0 and 128 (128 + 224 = 352 > 351 drops the second)
    assertEquals(2, Views.viewBoxes(351, 224, paper()).size());
    assertEquals(3, Views.viewBoxes(352, 224, paper()).size());
  }

  @Test
  void withoutTheGlobalViewOnlyPatches() {
    Views.Config noGlobal = new Views.Config(224, 128, 224, false, 0, Optional.empty());
    assertEquals(6, Views.viewBoxes(512, 384, noGlobal).size());
    assertEquals(6, Views.countViews(512, 384, noGlobal));
  }

  @Test
  void thePreparedSizeIsRefusedOverThePixelLimit() {
    assertEquals(
        "prepared size 224x4480000 = 1003520000 pixels is over the limit of 89478485 (the image is"
            + " upscaled so its short side is 224)",
        Views.overPixelLimit(1, 20_000, paper(), ScorerOptions.DEFAULT_MAX_PIXELS));
    assertEquals(
        "prepared size 448x448 = 200704 pixels is over the limit of 200000 (the pre-resize to"
            + " 448x448)",
        Views.overPixelLimit(100, 100, preResize(448, 448), 200_000));
    assertNull(Views.overPixelLimit(10, 5000, paper(), ScorerOptions.DEFAULT_MAX_PIXELS));
  }

  @Test
  void configsThatCannotWorkAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> maxSide(200));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Views.Config(224, 0, 224, true, 0, Optional.empty()));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Views.Config(224, 128, 100, true, 0, Optional.empty()));
  }
}
