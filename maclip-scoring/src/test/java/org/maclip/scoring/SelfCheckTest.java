package org.maclip.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A bundle's self-check: run when a scorer opens it, refusing a model this machine computes
 * differently from its exporter. */
class SelfCheckTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"tinyrn", "tinyvit", "tinyrn-int8"})
  void everyGoldenBundlePassesItsSelfCheckHere(String name) {
    Bundle.Loaded loaded = Bundle.read(GoldenTest.golden().resolve(name));
    SelfCheck check = loaded.bundle().selfCheck().orElseThrow();
    assertEquals(2, check.views());
    try (Scorer scorer = Scorer.open(loaded, ScorerOptions.defaults())) {
      assertTrue(scorer.loadTimes().selfCheckMillis() >= 0);
      SelfCheck.Outcome again = scorer.recheck().orElseThrow();
      assertTrue(again.nanos() > 0 && again.qDiff() <= check.qTolerance(), again.toString());
    }
  }

  /** A check set that cannot match: one expected Q moved by 1e-3, far past the 1e-5 allowed. */
  @Test
  void aCheckSetThatCannotMatchRefusesTheModelInOneLine() throws IOException {
    Path bundle = copyWith("tinyrn-int8", check -> {
      ArrayNode q = (ArrayNode) check.get("q");
      q.set(1, q.get(1).asDouble() + 1e-3);
    });
    ModelException e =
        assertThrows(ModelException.class, () -> Scorer.open(bundle, ScorerOptions.defaults()));
    String message = e.getMessage();
    assertTrue(message.startsWith("model bundle " + bundle + ": this machine computes the model"
        + " differently from where it was exported: on the self-check's 2 views, Q differs by"
        + " 0.00100 (allowed 1.00e-05)"), message);
    assertTrue(message.contains("here: " + Machine.describe() + " on the CPU; exported on: "
        + "x86_64, "), message);
    assertTrue(!message.contains("\n"), "one line");
  }

  /** The embeddings are checked too: one value moved by 1e-2 of the view's scale. */
  @Test
  void anEmbeddingThatDiffersIsRefusedEvenWhenQHolds() throws IOException {
    Path bundle = copyWith("tinyrn", check -> {
      ArrayNode row = (ArrayNode) check.get("embeddings").get(0);
      row.set(3, row.get(3).asDouble() + 0.05);
    });
    ModelException e =
        assertThrows(ModelException.class, () -> Scorer.open(bundle, ScorerOptions.defaults()));
    assertTrue(e.getMessage().contains("and the embeddings by"), e.getMessage());
  }

  /** In the background no result leaves a scorer whose self-check failed; a recheck fails too. */
  @Test
  void inTheBackgroundAFailedSelfCheckGivesNoResult() throws IOException {
    Path bundle = copyWith("tinyrn", check -> ((ArrayNode) check.get("q")).set(0, 0.0));
    try (Scorer scorer = Scorer.openInBackground(bundle, ScorerOptions.defaults())) {
      List<ImageInput> inputs = ScorerTest.images();
      assertThrows(ModelException.class, () -> scorer.scoreAll(inputs));
      assertThrows(ModelException.class, scorer::recheck);
      assertThrows(ModelException.class, scorer::awaitReady);
    }
  }

  /** Closing at once waits for the self-check still using the session (else ONNX Runtime crashes). */
  @Test
  void closingAScorerWhoseSelfCheckRunsWaitsForIt() {
    for (int i = 0; i < 5; i++) {
      Scorer.openInBackground(GoldenTest.golden().resolve("tinyrn"), ScorerOptions.defaults())
          .close();
    }
  }

  @Test
  void aDamagedCheckFileIsNamed() throws IOException {
    Path bundle = copyWith("tinyrn", check -> {});
    byte[] data = Files.readAllBytes(bundle.resolve("selfcheck.f32"));
    data[1000] ^= 1;
    Files.write(bundle.resolve("selfcheck.f32"), data);
    ModelException e =
        assertThrows(ModelException.class, () -> Scorer.open(bundle, ScorerOptions.defaults()));
    assertTrue(e.getMessage().contains("selfcheck.f32 does not match the crc32 in maclip.json"),
        e.getMessage());
  }

  @Test
  void aBundleWithoutASelfCheckStillLoads() throws IOException {
    Path bundle = copyWith("tinyrn", check -> {});
    ObjectNode manifest = manifest(bundle);
    manifest.remove("self_check");
    write(bundle, manifest);
    Files.delete(bundle.resolve("selfcheck.f32"));
    try (Scorer scorer = Scorer.open(bundle, ScorerOptions.defaults())) {
      assertTrue(scorer.bundle().selfCheck().isEmpty());
      assertEquals(-1, scorer.loadTimes().selfCheckMillis());
      assertTrue(scorer.recheck().isEmpty());
      assertTrue(scorer.score(ScorerTest.image("rgb_150x100.png")).ok());
    }
  }

  @Test
  void aSelfCheckOfTheWrongShapeIsRefusedWhenTheManifestIsRead() throws IOException {
    Path bundle = copyWith("tinyrn", check -> ((ArrayNode) check.get("shape")).set(2, 225));
    ModelException e = assertThrows(ModelException.class, () -> Bundle.load(bundle));
    assertTrue(e.getMessage().contains("self_check.shape is [2,3,225,224], not [N, 3, 224, 224]"),
        e.getMessage());
  }

  @Test
  void differencesAreRelativeToTheRowsScaleAndNaNIsNeverWithinTolerance() {
    float[][] expected = {{10, -20, 5}, {0.5f, 0.25f, 0}};
    float[][] actual = {{10, -20.2f, 5}, {0.5f, 0.25f, 0.001f}};
    assertEquals(0.2 / 20, SelfCheck.largestRelativeDiff(expected, actual), 1e-6);
    actual[1][2] = Float.NaN;
    assertTrue(Double.isNaN(SelfCheck.largestRelativeDiff(expected, actual)));
    assertTrue(Double.isNaN(SelfCheck.largestDiff(new double[] {1, 2}, new double[] {1, Double.NaN})));
    assertEquals(0.5, SelfCheck.largestDiff(new double[] {1, 2}, new double[] {1.5, 2}));
  }

  @Test
  void theMachineLineNamesTheCpuAndItsInt8Features() {
    List<String> avx2 = List.of("processor\t: 0", "model name\t: AMD EPYC 7B12",
        "flags\t\t: fpu sse avx avx2 fma", "processor\t: 1", "model name\t: other");
    assertEquals("AMD EPYC 7B12 (avx2)", Machine.cpu(avx2));
    List<String> graviton = List.of("processor\t: 0", "Features\t: fp asimd asimddp i8mm");
    assertEquals("unknown CPU (asimddp i8mm)", Machine.cpu(graviton));
    assertEquals("unknown CPU (no int8 features)", Machine.cpu(List.of()));
    assertTrue(Machine.describe().contains("ONNX Runtime 1."), Machine.describe());
  }

  /** A copy of a golden bundle with its manifest's {@code self_check} changed by {@code edit}. */
  private Path copyWith(String name, Consumer<ObjectNode> edit) throws IOException {
    Path source = GoldenTest.golden().resolve(name);
    Path copy = dir.resolve(name);
    Files.createDirectories(copy);
    try (var files = Files.list(source)) {
      for (Path file : files.toList()) {
        Files.copy(file, copy.resolve(file.getFileName()));
      }
    }
    ObjectNode manifest = manifest(copy);
    edit.accept((ObjectNode) manifest.get("self_check"));
    write(copy, manifest);
    return copy;
  }

  private static ObjectNode manifest(Path bundle) throws IOException {
    return (ObjectNode) new ObjectMapper().readTree(bundle.resolve("maclip.json").toFile());
  }

  private static void write(Path bundle, ObjectNode manifest) throws IOException {
    new ObjectMapper().writeValue(bundle.resolve("maclip.json").toFile(), manifest);
  }
}
