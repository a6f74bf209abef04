package org.maclip.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Java against the PyTorch reference: both tiny bundles, every golden image and option set of
 * {@code golden/<bundle>.golden.json} (written by {@code maclip-pytorch golden}).
 */
class GoldenTest {
  /** Q, Q_sim, Q_mag, weights, pair probabilities and per-view values. */
  static final double SCORE_TOLERANCE = 1e-5;

  /** The last view's embedding: ONNX Runtime vs torch, as the export check measures it. */
  static final double EMBEDDING_TOLERANCE = 1e-4;

  static Path golden() {
    try {
      return Path.of(GoldenTest.class.getResource("/golden").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @TestFactory
  Stream<DynamicTest> tinyrn() throws IOException {
    return cases("tinyrn");
  }

  @TestFactory
  Stream<DynamicTest> tinyvit() throws IOException {
    return cases("tinyvit");
  }

  private Stream<DynamicTest> cases(String bundle) throws IOException {
    JsonNode root = new ObjectMapper().readTree(golden().resolve(bundle + ".golden.json").toFile());
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : root.get("cases")) {
      String label = c.get("image").asText() + " " + c.get("options");
      tests.add(DynamicTest.dynamicTest(label, () -> check(bundle, c)));
    }
    return tests.stream();
  }

  static ScorerOptions options(JsonNode o) {
    ScorerOptions options =
        ScorerOptions.defaults()
            .withMethod(Method.parse(o.get("method").asText()))
            .withParams(
                new FusionParams(
                    o.get("lam").asDouble(),
                    o.get("alpha").asDouble(),
                    o.get("b_sim").asDouble(),
                    o.get("b_mag").asDouble()));
    if (!o.get("max_side").isNull()) {
      options = options.withMaxSide(o.get("max_side").asInt());
    }
    JsonNode pre = o.get("pre_resize");
    if (!pre.isNull()) {
      options = options.withPreResize(new ScorerOptions.Size(pre.get(1).asInt(), pre.get(0).asInt()));
    }
    return options;
  }

  private static void check(String bundle, JsonNode c) {
    Path image = golden().resolve("images").resolve(c.get("image").asText());
    JsonNode expected = c.get("result");
    ScoreResult actual;
    try (Scorer scorer = Scorer.open(golden().resolve(bundle), options(c.get("options")))) {
      actual = scorer.score(image);
    }
    assertNull(actual.error(), actual.error());
    assertEquals(expected.get("width").asInt(), actual.width());
    assertEquals(expected.get("height").asInt(), actual.height());
    assertEquals(expected.get("prepared_width").asInt(), actual.preparedWidth());
    assertEquals(expected.get("prepared_height").asInt(), actual.preparedHeight());
    near(expected, "q", actual.q());
    near(expected, "q_sim", actual.qSim());
    near(expected, "q_mag", actual.qMag());
    near(expected, "w_sim", actual.wSim());
    near(expected, "w_mag", actual.wMag());
    for (PairProbability pair : actual.pairs()) {
      assertEquals(
          expected.get("pair_probs").get(pair.positive()).asDouble(),
          pair.probability(),
          SCORE_TOLERANCE,
          pair.positive());
    }
    JsonNode views = expected.get("view_scores");
    assertEquals(views.size(), actual.viewCount());
    for (int v = 0; v < views.size(); v++) {
      JsonNode e = views.get(v);
      ViewScore a = actual.views().get(v);
      assertEquals(
          new ViewBox(
              e.get("top").asInt(), e.get("left").asInt(), e.get("height").asInt(),
              e.get("width").asInt(), e.get("is_global").asBoolean()),
          a.box());
      near(e, "q", a.q());
      near(e, "q_sim", a.qSim());
      near(e, "q_mag", a.qMag());
      near(e, "w_sim", a.wSim());
      near(e, "w_mag", a.wMag());
    }
  }

  /** Largest difference seen per field, printed after the run (the figures the README quotes). */
  private static final java.util.Map<String, Double> LARGEST = new java.util.TreeMap<>();

  @org.junit.jupiter.api.AfterAll
  static void report() {
    System.out.println("golden: largest |Java - reference| " + LARGEST);
  }

  private static void near(JsonNode expected, String field, double actual) {
    double want = expected.get(field).asDouble();
    LARGEST.merge(field, Math.abs(want - actual), Math::max);
    assertTrue(
        Math.abs(want - actual) <= SCORE_TOLERANCE,
        field + ": reference " + want + ", Java " + actual + " (diff " + (actual - want) + ")");
  }
}
