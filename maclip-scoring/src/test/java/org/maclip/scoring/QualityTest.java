package org.maclip.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The quality maths against values worked out by hand (D = 3), the arithmetic written out. */
class QualityTest {
  /** |f| = (3, 4, 0): norm 5, mean 7/3. */
  static final float[] F = {3f, -4f, 0f};

  /** Sample std of (3, 4, 0): sqrt(((2/3)² + (5/3)² + (7/3)²) / 2) = sqrt(13/3). */
  static final double STD = Math.sqrt((4.0 / 9 + 25.0 / 9 + 49.0 / 9) / 2);

  @Test
  void theNormIsFlooredAsWhenNormalising() {
    assertEquals(5.0, Quality.norm(F), 0);
    assertEquals(1e-12, Quality.norm(new float[2]), 0);
  }

  @Test
  void cosineIsTheDotProductOfTheNormalisedVectors() {
    // f/|f| = (0.6, -0.8, 0) and (1, 1, 0)/sqrt(2): (0.6 - 0.8)/sqrt(2)
    assertEquals(-0.2 / Math.sqrt(2), Quality.cosine(F, 5.0, new float[] {1, 1, 0}), 1e-15);
    assertEquals(0.0, Quality.cosine(new float[2], 1e-12, new float[] {1, 1}), 0);
  }

  @Test
  void pairProbabilityIsTheSoftmaxOfScaledCosines() {
    // f/|f| = (0.6, -0.8, 0); positive (2, 0, 0) -> cos 0.6; negative (0, -1, 0) -> cos 0.8
    PromptPair pair = new PromptPair("good", "bad", new float[] {2, 0, 0}, new float[] {0, -1, 0});
    double expected = Math.exp(10 * 0.6) / (Math.exp(10 * 0.6) + Math.exp(10 * 0.8));
    assertArrayEquals(
        new double[] {expected}, Quality.pairProbabilities(F, List.of(pair), 10.0), 1e-12);
    assertEquals(0.11920292202211755, expected, 1e-15); // 1 / (1 + e^2)
  }

  @Test
  void similarityIsTheMeanPairProbability() {
    assertEquals(0.5, Quality.similarityScore(new double[] {0.2, 0.8, 0.5}), 1e-15);
  }

  @Test
  void boxCoxShiftsByOne() {
    assertEquals(Math.log(4.0), Quality.boxCox(3.0, 0.0), 1e-15); // log(3 + 1)
    assertEquals(2.0, Quality.boxCox(3.0, 0.5), 1e-15); // (sqrt(4) - 1) / 0.5
    assertEquals(7.5, Quality.boxCox(3.0, 2.0), 1e-15); // (16 - 1) / 2
  }

  @Test
  void sampleStdDividesByNMinusOne() {
    assertEquals(STD, Quality.sampleStd(new double[] {3, 4, 0}), 1e-15);
    assertEquals(Math.sqrt(13.0 / 3), STD, 1e-15);
  }

  @Test
  void magnitudeIsTheMeanBoxCoxOfScaledMagnitudes() {
    double s = STD + 1e-6;
    double half = (2 * (Math.sqrt(3 / s + 1) - 1) + 2 * (Math.sqrt(4 / s + 1) - 1) + 0) / 3;
    assertEquals(half, Quality.magnitudeScore(F, 0.5), 1e-15);
    double log = (Math.log1p(3 / s) + Math.log1p(4 / s) + 0) / 3;
    assertEquals(log, Quality.magnitudeScore(F, 0.0), 1e-15);
  }

  @Test
  void magnitudeIgnoresTheSignAndTheScale() {
    float[] scaled = {-30f, 40f, 0f};
    assertEquals(Quality.magnitudeScore(F, 0.5), Quality.magnitudeScore(scaled, 0.5), 1e-6);
  }

  @Test
  void fusionWeightsAreASoftmaxOfBiasedDelta() {
    // Δ = 0.7 − 0.5 = 0.2; logits 1 + 0.2 = 1.2 and 0.6 − 0.2 = 0.4
    double[] w = Quality.fusionWeights(0.7, 0.5, FusionParams.PAPER);
    double expected = Math.exp(1.2) / (Math.exp(1.2) + Math.exp(0.4));
    assertEquals(expected, w[0], 1e-15);
    assertEquals(1 - expected, w[1], 1e-15);
    assertEquals(0.6899744811276125, expected, 1e-15);
  }

  @Test
  void theMethodsChooseTheWeights() {
    PromptPair pair = new PromptPair("good", "bad", new float[] {2, 0, 0}, new float[] {0, -1, 0});
    List<PromptPair> prompts = List.of(pair);
    double qSim = 1 / (1 + Math.exp(2));
    double qMag = Quality.magnitudeScore(F, 0.5);
    FusionParams paper = FusionParams.PAPER;
    Quality.ViewValues maclip = Quality.scoreView(F, prompts, 10, Method.MACLIP, paper);
    double[] w = Quality.fusionWeights(qSim, qMag, FusionParams.PAPER);
    assertEquals(w[0] * qSim + w[1] * qMag, maclip.q(), 1e-12);
    assertEquals(qSim, maclip.qSim(), 1e-12);
    assertEquals(qMag, maclip.qMag(), 1e-15);
    Quality.ViewValues clipiqa = Quality.scoreView(F, prompts, 10, Method.CLIPIQA, paper);
    assertEquals(qSim, clipiqa.q(), 1e-12);
    assertEquals(1.0, clipiqa.wSim());
    Quality.ViewValues magnitude =
        Quality.scoreView(F, prompts, 10, Method.MAGNITUDE, FusionParams.PAPER);
    assertEquals(qMag, magnitude.q(), 1e-15);
    assertEquals(1.0, magnitude.wMag());
    assertEquals(qSim, magnitude.qSim(), 1e-12); // both cues always reported
  }

  @Test
  void scoreViewsScoresEachRow() {
    PromptPair pair = new PromptPair("good", "bad", new float[] {2, 0, 0}, new float[] {0, -1, 0});
    float[][] rows = {F, {1f, 2f, 3f}};
    Quality.ViewValues[] values =
        Quality.scoreViews(rows, List.of(pair), 10, Method.MACLIP, FusionParams.PAPER);
    assertEquals(2, values.length);
    assertEquals(
        Quality.scoreView(rows[1], List.of(pair), 10, Method.MACLIP, FusionParams.PAPER).q(),
        values[1].q());
  }

  @Test
  void embeddingsOfTheWrongLengthAreRefused() {
    PromptPair pair = new PromptPair("good", "bad", new float[] {1, 0}, new float[] {0, 1});
    assertThrows(
        IllegalArgumentException.class, () -> Quality.pairProbabilities(F, List.of(pair), 10));
  }
}
