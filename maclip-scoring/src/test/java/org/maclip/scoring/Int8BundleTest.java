package org.maclip.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The int8 bundle ({@code golden/tinyrn-int8}, {@code maclip-pytorch export --int8} of the tiny
 * ResNet): read and scored by the unchanged scorer, close to the fp32 bundle but not equal to it.
 */
class Int8BundleTest {
  private static List<ScoreResult> score(String bundle) {
    try (Scorer scorer =
        Scorer.open(GoldenTest.golden().resolve(bundle), ScorerOptions.defaults())) {
      return scorer.scoreAll(ScorerTest.images());
    }
  }

  @Test
  void theManifestRecordsPrecisionAndFidelity() {
    Bundle int8 = Bundle.load(GoldenTest.golden().resolve("tinyrn-int8"));
    assertEquals("int8", int8.precision());
    assertTrue(int8.int8Check().get("min_view_cosine") > 0.95, int8.int8Check().toString());
    Bundle fp32 = Bundle.load(GoldenTest.golden().resolve("tinyrn"));
    assertEquals("fp32", fp32.precision());
    assertTrue(fp32.int8Check().isEmpty());
  }

  /** Within the tiny bundle's export limit (|ΔQ| 0.1, see golden.py), and really quantised. */
  @Test
  void scoresCloseToFp32() {
    List<ScoreResult> fp32 = score("tinyrn");
    List<ScoreResult> int8 = score("tinyrn-int8");
    assertEquals(fp32.size(), int8.size());
    double largest = 0;
    for (int i = 0; i < fp32.size(); i++) {
      assertTrue(Double.isFinite(int8.get(i).q()), int8.get(i).toString());
      largest = Math.max(largest, Math.abs(int8.get(i).q() - fp32.get(i).q()));
    }
    assertTrue(largest <= 0.1, "largest |dQ| " + largest);
    assertTrue(largest > 1e-7, "int8 scores equal fp32's: the bundle is not quantised");
  }
}
