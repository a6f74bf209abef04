package org.maclip.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Java against the PyTorch reference: both tiny bundles, every golden image and option set of
 * {@code golden/<bundle>.golden.json} (written by {@code maclip-pytorch golden}).
 */
class GoldenTest {
  /** Q_sim, Q_mag, weights, pair probabilities and per-view values. */
  static final double SCORE_TOLERANCE = 1e-5;

  /** The image's Q (the mean over its views, where ONNX Runtime's and torch's noise averages). */
  static final double Q_TOLERANCE = 1e-6;

  /** The last view's embedding: ONNX Runtime vs torch, as the export check measures it. */
  static final double EMBEDDING_TOLERANCE = 1e-4;

  private static final Pattern PRE_RESIZED = Pattern.compile("(.+)_(\\d+)x(\\d+)\\.png");

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

  /** The pre-resized pixels against the reference's (PIL bicubic on 8-bit RGB): identical. */
  @TestFactory
  Stream<DynamicTest> preResized() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    try (Stream<Path> files = Files.list(golden().resolve("preresized"))) {
      for (Path file : files.sorted().toList()) {
        String label = file.getFileName().toString();
        tests.add(DynamicTest.dynamicTest(label, () -> checkPreResized(file)));
      }
    }
    assertTrue(tests.size() >= 15, "golden/preresized holds too few files");
    return tests.stream();
  }

  /** {@code NAME_HEIGHTxWIDTH.png} is {@code images/NAME.png} pre-resized to WIDTH x HEIGHT. */
  private static void checkPreResized(Path file) throws ImageException {
    Matcher m = PRE_RESIZED.matcher(file.getFileName().toString());
    assertTrue(m.matches(), file.toString());
    int height = Integer.parseInt(m.group(2));
    int width = Integer.parseInt(m.group(3));
    Path original = golden().resolve("images").resolve(m.group(1) + ".png");
    RgbImage source = ImageDecoder.decode(original, Long.MAX_VALUE);
    RgbImage expected = ImageDecoder.decode(file, Long.MAX_VALUE);
    RgbImage actual = Preparer.preResize8bit(source, width, height);
    assertEquals(expected.width(), actual.width());
    assertEquals(expected.height(), actual.height());
    double largest = 0;
    for (int i = 0; i < actual.pixels().length; i++) {
      largest = Math.max(largest, Math.abs(actual.pixels()[i] - expected.pixels()[i]));
    }
    LARGEST.merge("preresized_pixel", largest, Math::max);
    assertEquals(0.0, largest, file + ": largest difference " + Math.round(largest * 255) + "/255");
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
      options =
          options.withPreResize(new ScorerOptions.Size(pre.get(1).asInt(), pre.get(0).asInt()));
    }
    return options;
  }

  private static void check(String bundle, JsonNode c) throws ImageException {
    Path image = golden().resolve("images").resolve(c.get("image").asText());
    JsonNode expected = c.get("result");
    ScoreResult actual;
    try (Scorer scorer = Scorer.open(golden().resolve(bundle), options(c.get("options")))) {
      actual = scorer.score(image);
    }
    assertNull(actual.error(), actual.error());
    checkGlobalEmbedding(bundle, c, image);
    assertEquals(expected.get("width").asInt(), actual.width());
    assertEquals(expected.get("height").asInt(), actual.height());
    assertEquals(expected.get("prepared_width").asInt(), actual.preparedWidth());
    assertEquals(expected.get("prepared_height").asInt(), actual.preparedHeight());
    double q = expected.get("q").asDouble();
    LARGEST.merge("q", Math.abs(q - actual.q()), Math::max);
    assertTrue(
        Math.abs(q - actual.q()) <= Q_TOLERANCE, "q: reference " + q + ", Java " + actual.q());
    near(expected, "q_sim", actual.qSim());
    near(expected, "q_mag", actual.qMag());
    near(expected, "w_sim", actual.wSim());
    near(expected, "w_mag", actual.wMag());
    assertEquals(expected.get("pair_probs").size(), actual.pairs().size());
    for (PairProbability pair : actual.pairs()) {
      double want = expected.get("pair_probs").get(pair.positive()).asDouble();
      near("pair_probs", want, pair.probability());
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
      near("view q", e.get("q").asDouble(), a.q());
      near("view q_sim", e.get("q_sim").asDouble(), a.qSim());
      near("view q_mag", e.get("q_mag").asDouble(), a.qMag());
      near("view w_sim", e.get("w_sim").asDouble(), a.wSim());
      near("view w_mag", e.get("w_mag").asDouble(), a.wMag());
    }
  }

  /** Largest difference seen per field, printed after the run (the figures docs/parity.md quotes). */
  private static final java.util.Map<String, Double> LARGEST = new java.util.TreeMap<>();

  @org.junit.jupiter.api.AfterAll
  static void report() {
    System.out.println("golden: largest |Java - reference| " + LARGEST);
  }

  /** The global view's embedding from ONNX Runtime against the reference's from torch. */
  private static void checkGlobalEmbedding(String bundle, JsonNode c, Path image)
      throws ImageException {
    Bundle.Loaded loaded = Bundle.read(golden().resolve(bundle));
    ScorerOptions options = options(c.get("options"));
    Views.Config views = loaded.bundle().view().config(options.maxSide(), options.preResize());
    Preparer preparer =
        new Preparer(views, options.maxPixels(), loaded.bundle().mean(), loaded.bundle().std());
    Preparer.Prepared prepared = preparer.prepare(ImageInput.of(image));
    int last = prepared.boxes().size() - 1;
    assertTrue(prepared.boxes().get(last).global());
    float[] actual;
    try (Encoder encoder = Encoder.open(loaded, 0, Device.CPU)) {
      ViewBatch batch = new ViewBatch(
          () -> encoder, Encoder.newBatch(1, views.patchSize()), 1, views.patchSize());
      ViewBatch.Job job = new ViewBatch.Job(image.toString(), prepared);
      batch.add(job, last, 1);
      batch.flush();
      actual = job.features[0];
    }
    JsonNode expected = c.get("global_view_embedding");
    assertEquals(expected.size(), actual.length);
    double largest = 0;
    for (int i = 0; i < actual.length; i++) {
      largest = Math.max(largest, Math.abs(expected.get(i).asDouble() - actual[i]));
    }
    LARGEST.merge("global_embedding", largest, Math::max);
    assertTrue(largest <= EMBEDDING_TOLERANCE, "global view embedding differs by " + largest);
  }

  private static void near(JsonNode expected, String field, double actual) {
    near(field, expected.get(field).asDouble(), actual);
  }

  private static void near(String field, double want, double actual) {
    LARGEST.merge(field, Math.abs(want - actual), Math::max);
    assertTrue(
        Math.abs(want - actual) <= SCORE_TOLERANCE,
        field + ": reference " + want + ", Java " + actual + " (diff " + (actual - want) + ")");
  }
}
