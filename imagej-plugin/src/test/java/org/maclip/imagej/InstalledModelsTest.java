package org.maclip.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maclip.scoring.Device;

/** Installed models' names, how a model setting finds its bundle, and the Settings choice. */
class InstalledModelsTest {
  @TempDir Path dir;

  @Test
  void aSourceNamesItsModel() {
    assertEquals("maclip-rn50", InstalledModels.nameFor("/data/maclip-rn50.zip"));
    assertEquals("maclip-rn50", InstalledModels.nameFor("C:\\models\\maclip-rn50.ZIP"));
    assertEquals("maclip-rn50", InstalledModels.nameFor("/data/maclip-rn50/"));
    assertEquals("maclip-rn50", InstalledModels.nameFor("/data/maclip-rn50/maclip.json"));
    assertEquals("My_Model_v2_.1", InstalledModels.nameFor(
        "https://example.org/dl/My%20Model%20(v2).1.zip?token=abc#top"));
    assertEquals("model", InstalledModels.nameFor("https://example.org/"));
    assertEquals("model", InstalledModels.nameFor("/data/.../"));
    assertEquals("hidden", InstalledModels.nameFor("/data/.hidden.zip"));
    assertEquals(64, InstalledModels.nameFor("x".repeat(100) + ".zip").length());
  }

  @Test
  void namesAreSafeFolderNames() {
    for (String ok : List.of("rn50", "maclip-rn50", "ViT-B-32_openai.v2", "a", "console",
        "nullable", "com10", "auxiliary.zip")) {
      assertTrue(InstalledModels.isName(ok), ok);
    }
    for (String bad : List.of("", ".", "..", "../x", "a/b", "a\\b", ".hidden", "-x", "a b",
        "x.", "C:", "x".repeat(65), "CON", "nul", "Nul.txt", "com1", "LPT9.zip", "aux.tar.gz",
        "visual.onnx:stream", "maclip.json::$DATA")) {
      assertFalse(InstalledModels.isName(bad), bad);
    }
  }

  @Test
  void onlyFoldersWithAManifestAreInstalledModels() throws Exception {
    InstalledModels models = new InstalledModels(dir.resolve("models"));
    assertEquals(List.of(), models.names());
    Files.createDirectories(dir.resolve("models/b"));
    Files.writeString(dir.resolve("models/b/maclip.json"), "{}");
    Files.createDirectories(dir.resolve("models/A"));
    Files.writeString(dir.resolve("models/A/maclip.json"), "{}");
    Files.createDirectories(dir.resolve("models/empty"));
    Files.createDirectories(dir.resolve("models/.installing-c-1"));
    Files.writeString(dir.resolve("models/.installing-c-1/maclip.json"), "{}");
    assertEquals(List.of("A", "b"), models.names());
    assertEquals(Optional.of(dir.resolve("models/b")), models.find("b"));
    assertEquals(Optional.empty(), models.find("empty"));
    assertEquals(Optional.empty(), models.find("../models/b"));
  }

  @Test
  void aModelSettingIsAnInstalledNameFirstThenAPath() throws Exception {
    InstalledModels models = new InstalledModels(dir.resolve("models"));
    Files.createDirectories(dir.resolve("models/rn50"));
    Files.writeString(dir.resolve("models/rn50/maclip.json"), "{}");
    assertEquals(dir.resolve("models/rn50"), settings("rn50").bundle(models));
    Path bundle = Files.createDirectories(dir.resolve("elsewhere/rn50"));
    assertEquals(bundle, settings(bundle.toString()).bundle(models));

    UserError unknown = assertThrows(UserError.class, () -> settings("vit").bundle(models));
    assertEquals("no installed model is named 'vit'; installed: rn50 (in " + dir.resolve("models")
        + "). Install one with Plugins > MA-CLIP > Install Model..., or give a bundle's path",
        unknown.getMessage());
    UserError none = assertThrows(UserError.class,
        () -> settings("vit").bundle(new InstalledModels(dir.resolve("nothing"))));
    assertTrue(none.getMessage().contains("no models are installed in " + dir.resolve("nothing")),
        none.getMessage());
    UserError path = assertThrows(UserError.class,
        () -> settings(dir.resolve("gone.zip").toString()).bundle(models));
    assertEquals("model bundle " + dir.resolve("gone.zip") + " does not exist",
        path.getMessage());
  }

  @Test
  void theSettingsChoiceListsTheInstalledModelsTheCurrentPathAndNone() {
    assertArrayEquals(new String[] {"a", "b", "/data/x", SettingsCommand.NONE},
        SettingsCommand.modelChoices(List.of("a", "b"), "/data/x"));
    assertArrayEquals(new String[] {"a", "b", SettingsCommand.NONE},
        SettingsCommand.modelChoices(List.of("a", "b"), "b"));
    assertArrayEquals(new String[] {SettingsCommand.NONE},
        SettingsCommand.modelChoices(List.of(), ""));
  }

  @Test
  void aListedChoiceTakesAnyValueFromAMacro() {
    Form form = new Form("t").listed("Model (installed)", new String[] {"a", "(none)"}, "a");
    assertEquals("/data/bundle", form.fromMacro("model=[/data/bundle]").text("model"));
    assertEquals("a", form.fromMacro("").text("model"));
  }

  private static Settings settings(String model) {
    return new Settings(model, 0, 16, Device.CPU, 90_000);
  }
}
