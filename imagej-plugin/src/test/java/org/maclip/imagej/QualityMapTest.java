package org.maclip.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.ViewBox;
import org.maclip.scoring.ViewScore;

class QualityMapTest {
  /** Patches with the given q values at the given lefts (top 0), plus a global view of q 0.9. */
  private static ScoreResult result(int width, int height, int prepW, int prepH, int[] lefts,
      double[] qs) {
    List<ViewScore> views = new ArrayList<>();
    for (int i = 0; i < lefts.length; i++) {
      views.add(new ViewScore(new ViewBox(0, lefts[i], 224, 224, false), qs[i], qs[i] / 2, 0, 0,
          0));
    }
    views.add(new ViewScore(new ViewBox(0, 0, prepH, prepW, true), 0.9, 0.9, 0, 0, 0));
    return new ScoreResult("x", 0.5, 0, 0, 0, 0, List.of(), width, height, prepW, prepH, views,
        null);
  }

  @Test
  void overlappingPatchesAreAveragedAndTheGlobalViewIsLeftOut() {
    QualityMap map = QualityMap.of(
        result(352, 224, 352, 224, new int[] {0, 128}, new double[] {0.2, 0.6}),
        QualityMap.Field.Q);
    assertArrayEquals(new int[] {0, 128, 224, 352}, map.xEdges());
    assertEquals(0.2, map.at(0, 0), 1e-12);
    assertEquals(0.4, map.at(150, 100), 1e-12);
    assertEquals(0.6, map.at(351, 223), 1e-12);
    assertEquals(0.2, map.min(), 1e-12);
    assertEquals(0.6, map.max(), 1e-12);
  }

  @Test
  void marginsNoPatchReachesTakeTheNearestValue() {
    QualityMap map = QualityMap.of(
        result(300, 260, 300, 260, new int[] {0}, new double[] {0.3}), QualityMap.Field.Q);
    assertEquals(0.3, map.at(299, 0), 1e-12);
    assertEquals(0.3, map.at(299, 259), 1e-12);
  }

  @Test
  void boxesOfAnUpscaledImageAreMappedBackByTheSizeRatio() {
    // 112x100 is prepared (shorter side to 224) as 251x224: one patch, 224 wide.
    Rectangle r = ViewGeometry.toImage(new ViewBox(0, 0, 224, 224, false), 251, 224, 112, 100);
    assertEquals(new Rectangle(0, 0, 100, 100), r);
    QualityMap map = QualityMap.of(
        result(112, 100, 251, 224, new int[] {0}, new double[] {0.7}), QualityMap.Field.Q);
    assertArrayEquals(new int[] {0, 100, 112}, map.xEdges());
    assertArrayEquals(new int[] {0, 100}, map.yEdges());
    assertEquals(0.7, map.at(111, 99), 1e-12);
  }

  @Test
  void pixelsAgreeWithCellLookup() {
    QualityMap map = QualityMap.of(
        result(400, 230, 400, 230, new int[] {0, 128}, new double[] {0.1, 0.5}),
        QualityMap.Field.Q_SIM);
    float[] pixels = map.pixels();
    assertEquals(400 * 230, pixels.length);
    for (int y = 0; y < 230; y += 7) {
      for (int x = 0; x < 400; x += 5) {
        assertEquals((float) map.at(x, y), pixels[y * 400 + x]);
      }
    }
    assertEquals(0.05, map.at(10, 10), 1e-12); // Q_sim of the first patch
  }

  @Test
  void aFailedImageHasNoMap() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> QualityMap.of(ScoreResult.failed("a.png", "broken"), QualityMap.Field.Q));
    assertEquals("a.png: no map for an image that failed (broken)", e.getMessage());
  }

  @Test
  void fieldsParseByTheirColumnName() {
    assertEquals(QualityMap.Field.W_MAG, QualityMap.Field.parse("w_mag"));
    assertThrows(IllegalArgumentException.class, () -> QualityMap.Field.parse("sharpness"));
  }
}
