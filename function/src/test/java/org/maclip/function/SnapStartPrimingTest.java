package org.maclip.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.crac.Context;
import org.crac.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maclip.function.testing.TestImages;
import org.maclip.scoring.ImageInput;
import org.maclip.scoring.ModelException;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.Scorer;
import org.maclip.scoring.ScorerOptions;

/**
 * The SnapStart hooks driven through the {@code org.crac} API as Lambda's runtime drives them: the
 * hook registers with a context, the context calls {@code beforeCheckpoint} before the snapshot
 * and {@code afterRestore} in each restored copy. Everything runs in this one live JVM: no
 * checkpoint is taken and none restored (that needs Lambda or a CRaC JVM), so what is checked is
 * the hooks' own work, and that the scorer scores as a fresh one after them.
 */
class SnapStartPrimingTest {
  private static final Path TINY = Path.of("../maclip-scoring/src/test/resources/golden/tinyrn");

  /** A context like Lambda's: hooks in registration order before, in reverse after. */
  private static final class LambdaLikeContext extends Context<Resource> {
    private final List<Resource> resources = new ArrayList<>();

    @Override
    public void register(Resource resource) {
      resources.add(resource);
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
      for (Resource resource : resources) {
        try {
          resource.beforeCheckpoint(this);
        } catch (Exception e) {
          throw new IllegalStateException("snapshot refused: " + e.getMessage(), e);
        }
      }
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
      for (int i = resources.size() - 1; i >= 0; i--) {
        try {
          resources.get(i).afterRestore(this);
        } catch (Exception e) {
          throw new IllegalStateException("restore failed: " + e.getMessage(), e);
        }
      }
    }
  }

  @Test
  void beforeTheSnapshotTheModelIsCheckedAndWarmAndAfterTheRestoreHookItScoresAsAFreshScorer() {
    byte[] photo = TestImages.encode("jpg", 300, 200, 7, 16);
    try (Scorer scorer = Scorer.openInBackground(TINY, ScorerOptions.defaults());
        Scorer reference = Scorer.open(TINY)) {
      SnapStartPriming hook = new SnapStartPriming(scorer);
      LambdaLikeContext context = new LambdaLikeContext();
      hook.register(context);
      assertNull(hook.warmUp());

      context.beforeCheckpoint(null);
      ScoreResult warmUp = hook.warmUp();
      assertTrue(warmUp.ok(), warmUp.error());
      assertEquals(36, warmUp.viewCount(), "1024x768: 35 patches and the global view");
      assertTrue(scorer.loadTimes().checksumMillis() >= 0, "the checksum ran to its end");
      ScoreResult expected =
          reference.score(ImageInput.of("w.jpg", SnapStartPriming.warmUpJpeg()));
      assertEquals(expected.q(), warmUp.q(), 0.0, "the warm-up is a real score");

      context.afterRestore(null);
      assertEquals(reference.score(ImageInput.of("a.jpg", photo)).q(),
          scorer.score(ImageInput.of("a.jpg", photo)).q(), 0.0);
    }
  }

  @Test
  void aDamagedModelFailsTheSnapshotInsteadOfServing(@TempDir Path dir) throws IOException {
    for (String file : List.of("maclip.json", "visual.onnx")) {
      Files.copy(TINY.resolve(file), dir.resolve(file));
    }
    try (RandomAccessFile onnx = new RandomAccessFile(dir.resolve("visual.onnx").toFile(), "rw")) {
      onnx.seek(onnx.length() - 9); // inside the last initializer: the session still loads
      int b = onnx.read();
      onnx.seek(onnx.length() - 9);
      onnx.write(b ^ 0x55);
    }
    try (Scorer scorer = Scorer.openInBackground(dir, ScorerOptions.defaults())) {
      LambdaLikeContext context = new LambdaLikeContext();
      new SnapStartPriming(scorer).register(context);
      IllegalStateException refused =
          assertThrows(IllegalStateException.class, () -> context.beforeCheckpoint(null));
      assertTrue(refused.getCause() instanceof ModelException, refused.toString());
      assertTrue(refused.getMessage().contains("visual.onnx does not match the crc32"),
          refused.getMessage());
    }
  }

  /**
   * A copy restored on a host whose results differ from the bundle's self-check: simulated with a
   * self-check that no host can match (no restore can be taken here). The hook runs the check
   * again after the restore, and from then on the scorer gives no result.
   */
  @Test
  void afterARestoreOnAHostThatComputesDifferentlyNothingIsScored(@TempDir Path dir)
      throws IOException {
    for (String file : org.maclip.scoring.Bundle.FILES) {
      Files.copy(TINY.resolve(file), dir.resolve(file));
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode manifest = (ObjectNode) json.readTree(dir.resolve("maclip.json").toFile());
    ((ArrayNode) manifest.get("self_check").get("q")).set(0, 0.5);
    json.writeValue(dir.resolve("maclip.json").toFile(), manifest);
    try (Scorer scorer = Scorer.openInBackground(dir, ScorerOptions.defaults())) {
      LambdaLikeContext context = new LambdaLikeContext();
      new SnapStartPriming(scorer).register(context);
      context.afterRestore(null); // logs one error line, does not throw
      ModelException refused = assertThrows(ModelException.class,
          () -> scorer.score(ImageInput.of("a.jpg", TestImages.encode("jpg", 64, 64, 1, 8))));
      assertTrue(refused.getMessage().contains("this machine computes the model differently"),
          refused.getMessage());
    }
  }
}
