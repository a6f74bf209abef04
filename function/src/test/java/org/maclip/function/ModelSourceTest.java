package org.maclip.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.maclip.function.testing.MotoS3;
import org.maclip.function.testing.S3Fixture;
import org.maclip.scoring.Bundle;
import org.maclip.scoring.ModelException;
import org.maclip.scoring.Scorer;

/** Bundles read from S3 (moto) into the local cache, as a zip or as a prefix. */
class ModelSourceTest {
  private static final Path TINY = Path.of("../maclip-scoring/src/test/resources/golden/tinyrn");
  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension static final MotoS3 MOTO = MotoS3.withBuckets("models");

  @TempDir
  Path cache;

  @Test
  void aLocalPathIsUsedAsItIsWithoutAskingForAnS3Client() {
    assertEquals(TINY, ModelSource.resolve(TINY.toString(), cache, () -> {
      throw new AssertionError("a local bundle asked for the S3 client");
    }));
  }

  @Test
  void aModelLargerThanTheCachesFreeSpaceIsRefusedBeforeItsDownload() {
    ModelSource.requireSpace("s3://m/rn50.zip", 300L << 20, cache, 300L << 20); // fits exactly
    ModelException full = assertThrows(ModelException.class,
        () -> ModelSource.requireSpace("s3://m/rn50.zip", 600L << 20, cache, 400L << 20));
    assertTrue(full.getMessage().startsWith("the model file s3://m/rn50.zip needs 600 MB, but"
        + " maclip.model-cache (" + cache + ") has 400 MB free"), full.getMessage());
  }

  @Test
  void badLocationsSayWhatIsExpected() {
    ModelException none = assertThrows(ModelException.class,
        () -> ModelSource.resolve(" ", cache, () -> null));
    assertTrue(none.getMessage().contains("MACLIP_MODEL"), none.getMessage());
    ModelException noKey = assertThrows(ModelException.class,
        () -> ModelSource.resolve("s3://models", cache, () -> null));
    assertTrue(noKey.getMessage().contains("is not s3://bucket/key"), noKey.getMessage());
  }

  @Test
  void aZipIsDownloadedOnceAndReusedUntilItChanges() throws IOException {
    S3Fixture aws = MOTO.aws();
    aws.put("models", "bundles/tinyrn.zip", zip(TINY));

    Path first = ModelSource.resolve("s3://models/bundles/tinyrn.zip", cache, () -> aws.s3);
    try (Scorer scorer = Scorer.open(first)) {
      assertEquals("resnet", scorer.bundle().family());
    }
    Files.setLastModifiedTime(first, FileTime.fromMillis(0));
    Path again = ModelSource.resolve("s3://models/bundles/tinyrn.zip", cache, () -> aws.s3);
    assertEquals(first, again);
    assertEquals(FileTime.fromMillis(0), Files.getLastModifiedTime(again), "not downloaded again");

    aws.put("models", "bundles/tinyrn.zip", zip(TINY, "a new upload"));
    assertNotEquals(
        first, ModelSource.resolve("s3://models/bundles/tinyrn.zip", cache, () -> aws.s3));
  }

  @Test
  void aPrefixHoldingTheBundleFilesIsDownloadedAsADirectory() throws IOException {
    S3Fixture aws = MOTO.aws();
    putBundleFiles("unzipped/tinyrn/");

    Path dir = ModelSource.resolve("s3://models/unzipped/tinyrn", cache, () -> aws.s3);

    for (String file : ModelSource.BUNDLE_FILES) {
      assertEquals(Files.size(TINY.resolve(file)), Files.size(dir.resolve(file)));
    }
    try (Scorer scorer = Scorer.open(dir)) {
      assertEquals(64, scorer.bundle().sha256().length());
    }
  }

  /** A bundle exported before self-checks has no selfcheck.f32: its two files are enough. */
  @Test
  void aPrefixWithoutTheSelfChecksViewsIsDownloadedToo() throws IOException {
    S3Fixture aws = MOTO.aws();
    for (String file : List.of("maclip.json", "visual.onnx")) {
      aws.put("models", "old/tinyrn/" + file, Files.readAllBytes(TINY.resolve(file)));
    }
    Path dir = ModelSource.resolve("s3://models/old/tinyrn", cache, () -> aws.s3);
    assertTrue(Files.isRegularFile(dir.resolve("visual.onnx")));
    assertFalse(Files.exists(dir.resolve("selfcheck.f32")));
  }

  @Test
  void aNewManifestOverTheSameModelIsPickedUp() throws IOException {
    S3Fixture aws = MOTO.aws();
    putBundleFiles("prompts/tinyrn/");
    Path first = ModelSource.resolve("s3://models/prompts/tinyrn", cache, () -> aws.s3);
    assertEquals(0.5, Bundle.load(first).defaults().lam());

    ObjectNode manifest = (ObjectNode) JSON.readTree(TINY.resolve("maclip.json").toFile());
    ((ObjectNode) manifest.get("defaults")).put("lam", 0.25);
    aws.put("models", "prompts/tinyrn/maclip.json", JSON.writeValueAsBytes(manifest));
    Path second = ModelSource.resolve("s3://models/prompts/tinyrn", cache, () -> aws.s3);

    assertNotEquals(first, second);
    assertEquals(0.25, Bundle.load(second).defaults().lam(), "the new maclip.json is used");
    assertEquals(0.5, Bundle.load(first).defaults().lam(), "the old folder is left as it was");
  }

  /**
   * A manifest whose sha256 names another model (its crc32 right, so loading alone would pass):
   * refused once downloaded, and not left in the cache; once fixed, verified and recorded.
   */
  @Test
  void aDownloadIsVerifiedByItsSha256BeforeTheCacheIsUsed() throws IOException {
    S3Fixture aws = MOTO.aws();
    putBundleFiles("verified/tinyrn/");
    ObjectNode manifest = (ObjectNode) JSON.readTree(TINY.resolve("maclip.json").toFile());
    String sha256 = manifest.get("onnx").get("sha256").asText();
    ((ObjectNode) manifest.get("onnx")).put("sha256", "ab".repeat(32));
    aws.put("models", "verified/tinyrn/maclip.json", JSON.writeValueAsBytes(manifest));

    ModelException e = assertThrows(ModelException.class,
        () -> ModelSource.resolve("s3://models/verified/tinyrn", cache, () -> aws.s3));
    assertTrue(e.getMessage().startsWith("the model bundle s3://models/verified/tinyrn was"
        + " downloaded but refused: model bundle "), e.getMessage());
    assertTrue(e.getMessage().contains("visual.onnx does not match the sha256 in maclip.json"),
        e.getMessage());
    try (var left = Files.walk(cache)) {
      assertEquals(0, left.filter(Files::isRegularFile).count(), "nothing left in the cache");
    }

    ((ObjectNode) manifest.get("onnx")).put("sha256", sha256);
    aws.put("models", "verified/tinyrn/maclip.json", JSON.writeValueAsBytes(manifest));
    Path dir = ModelSource.resolve("s3://models/verified/tinyrn", cache, () -> aws.s3);
    assertEquals(sha256, org.maclip.scoring.ModelIdentity.recorded(dir).orElseThrow());
    assertTrue(Bundle.read(dir).sha256Verified());
  }

  @Test
  void aMissingObjectIsAModelErrorNamingIt() {
    S3Fixture aws = MOTO.aws();
    ModelException e = assertThrows(ModelException.class,
        () -> ModelSource.resolve("s3://models/nothing/here.zip", cache, () -> aws.s3));
    assertTrue(e.getMessage().startsWith("cannot fetch the model bundle s3://models/nothing/here.zip"),
        e.getMessage());
  }

  private static byte[] zip(Path bundle) throws IOException {
    return zip(bundle, "");
  }

  private static byte[] zip(Path bundle, String comment) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.setComment(comment);
      for (String file : ModelSource.BUNDLE_FILES) {
        zip.putNextEntry(new ZipEntry(file));
        zip.write(Files.readAllBytes(bundle.resolve(file)));
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  /** The tiny bundle's files under {@code prefix} in the "models" bucket, as a prefix bundle. */
  private void putBundleFiles(String prefix) throws IOException {
    for (String file : ModelSource.BUNDLE_FILES) {
      MOTO.aws().put("models", prefix + file, Files.readAllBytes(TINY.resolve(file)));
    }
  }
}
