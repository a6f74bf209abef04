package org.maclip.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model's sha256 verified once where it arrives, recorded, and held to on loading. */
class ModelIdentityTest {
  @TempDir Path dir;

  private Path copy(java.util.function.Consumer<ObjectNode> edit) throws IOException {
    return BundleTest.copy(dir, edit);
  }

  private static String tinySha256() {
    return Bundle.load(BundleTest.tinyrn()).sha256();
  }

  @Test
  void aVerifiedModelIsRecordedAndLoadingKnowsIt() throws IOException {
    Path bundle = copy(m -> {});
    assertFalse(Bundle.read(bundle).sha256Verified());
    assertEquals(tinySha256(), ModelIdentity.verifyAndRecord(bundle, tinySha256().toUpperCase()));
    assertEquals(tinySha256() + "  visual.onnx\n",
        Files.readString(bundle.resolve(ModelIdentity.RECORD)));
    Bundle.Loaded loaded = Bundle.read(bundle);
    assertTrue(loaded.sha256Verified());
    assertEquals("crc32", loaded.checksumName(), "loading keeps its fast sum");
  }

  /** The manifest's crc32 is right (so loading alone passes) but its sha256 names another model. */
  @Test
  void aManifestNamingAnotherSha256IsRefusedWhereTheModelArrives() throws IOException {
    String other = "ab".repeat(32);
    Path bundle = copy(m -> ((ObjectNode) m.get("onnx")).put("sha256", other));
    Bundle.read(bundle);
    ModelException e = assertThrows(ModelException.class,
        () -> ModelIdentity.verifyAndRecord(bundle, null));
    assertEquals("model bundle " + bundle + ": visual.onnx does not match the sha256 in"
        + " maclip.json (expected " + other + ", found " + tinySha256() + "): the file is damaged"
        + " or was changed after export", e.getMessage());
    assertFalse(Files.exists(bundle.resolve(ModelIdentity.RECORD)));
  }

  @Test
  void aModelOtherThanTheExpectedIsRefused() throws IOException {
    Path bundle = copy(m -> {});
    String expected = "0123456789abcdef".repeat(4);
    ModelException e = assertThrows(ModelException.class,
        () -> ModelIdentity.verify(bundle, expected));
    assertEquals("model bundle " + bundle + ": visual.onnx has sha256 " + tinySha256()
        + ", not the expected " + expected + ": it is not the model that was asked for",
        e.getMessage());
  }

  /** Model and manifest replaced together after the install: the record gives them away. */
  @Test
  void aBundleChangedAfterItArrivedIsRefusedOnLoading() throws IOException {
    Path bundle = copy(m -> {});
    ModelIdentity.verifyAndRecord(bundle, null);
    String other = "cd".repeat(32);
    Path changed = copy(m -> ((ObjectNode) m.get("onnx")).put("sha256", other));
    Files.copy(changed.resolve("maclip.json"), bundle.resolve("maclip.json"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertEquals("maclip.json names visual.onnx sha256 " + other + ", but the model verified"
        + " when the bundle arrived was " + tinySha256() + " (sha256.verified): the bundle was"
        + " changed since", BundleTest.refusal(bundle));
  }

  @Test
  void aZipsRecordLiesBesideIt() throws IOException {
    Path zip = dir.resolve("tiny.zip");
    try (OutputStream file = Files.newOutputStream(zip);
        ZipOutputStream out = new ZipOutputStream(file)) {
      for (String name : new String[] {"maclip.json", "visual.onnx"}) {
        out.putNextEntry(new ZipEntry(name));
        out.write(Files.readAllBytes(BundleTest.tinyrn().resolve(name)));
        out.closeEntry();
      }
    }
    ModelIdentity.verifyAndRecord(zip, null);
    assertEquals(tinySha256(), ModelIdentity.recorded(zip).orElseThrow());
    assertTrue(Files.isRegularFile(dir.resolve("tiny.zip." + ModelIdentity.RECORD)));
    assertTrue(Bundle.read(zip).sha256Verified());
  }
}
