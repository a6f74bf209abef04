package org.maclip.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.maclip.function.testing.MotoS3;
import org.maclip.function.testing.S3Fixture;
import org.maclip.scoring.ImageInput;
import org.maclip.scoring.Scorer;
import org.maclip.scoring.ScorerOptions;

/**
 * A model overwritten under the same S3 key (moto) while copies run: a copy that starts later
 * with the old pin refuses the new model instead of scoring beside the old one, and the new pin
 * (a new published version) opens it. Each copy is a fresh cache folder, as on a new instance.
 */
class ModelRolloutTest {
  private static final Path GOLDEN = Path.of("../maclip-scoring/src/test/resources/golden");
  private static final String LOCATION = "s3://models/live/model.zip";
  @RegisterExtension static final MotoS3 MOTO = MotoS3.withBuckets("models");

  @TempDir
  Path copies;

  private Scorer startCopy(String name, Optional<String> pin) {
    Path bundle = ModelSource.resolve(LOCATION, copies.resolve(name), () -> MOTO.aws().s3);
    return Beans.pinned(Scorer.openInBackground(bundle, ScorerOptions.defaults()), pin, LOCATION);
  }

  @Test
  void aModelOverwrittenUnderTheSameKeyReachesOnlyTheVersionThatNamesIt() throws Exception {
    S3Fixture aws = MOTO.aws();
    aws.put("models", "live/model.zip", zip(GOLDEN.resolve("tinyrn")));
    try (Scorer old = startCopy("copy-1", Optional.empty())) {
      String oldSha = old.bundle().sha256();
      try (Scorer pinned = startCopy("copy-2", Optional.of(oldSha))) {
        assertEquals(oldSha, pinned.bundle().sha256());
      }

      aws.put("models", "live/model.zip", zip(GOLDEN.resolve("tinyvit")));

      IllegalStateException refused = assertThrows(IllegalStateException.class,
          () -> startCopy("copy-3", Optional.of(oldSha)));
      assertTrue(refused.getMessage().startsWith("maclip.model-sha256 (MACLIP_MODEL_SHA256) is "
          + oldSha + ", but the model read from " + LOCATION + " has sha256 "),
          refused.getMessage());
      String newSha = refused.getMessage().replaceFirst(".* has sha256 (\\w+):.*", "$1");
      assertNotEquals(oldSha, newSha);
      try (Scorer rolledOut = startCopy("copy-4", Optional.of(newSha))) {
        assertEquals("TinyViT", rolledOut.bundle().backbone());
        byte[] image = Files.readAllBytes(GOLDEN.resolve("images/rgb_512x384.png"));
        assertTrue(rolledOut.score(ImageInput.of("x.png", image)).ok());
      }
      // The copy started before the overwrite still scores with its own model, and says so.
      assertEquals(oldSha, old.bundle().sha256());
    }
  }

  private static byte[] zip(Path bundle) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(bytes); Stream<Path> files = Files.list(bundle)) {
      for (Path file : files.sorted().toList()) {
        out.putNextEntry(new ZipEntry(file.getFileName().toString()));
        out.write(Files.readAllBytes(file));
        out.closeEntry();
      }
    }
    return bytes.toByteArray();
  }
}
