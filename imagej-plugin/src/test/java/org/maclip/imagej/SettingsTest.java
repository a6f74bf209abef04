package org.maclip.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.Prefs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maclip.scoring.Device;

class SettingsTest {
  @TempDir Path dir;

  @Test
  void aChosenManifestMeansItsFolder() throws Exception {
    Path manifest = Files.writeString(dir.resolve("maclip.json"), "{}");
    assertEquals(dir.toAbsolutePath(), settings(manifest.toString()).bundle());
    assertEquals(dir.toAbsolutePath(), settings(dir.toString()).bundle());
  }

  @Test
  void noBundleOrAMissingOneSaysWhatToDo() {
    UserError none = assertThrows(UserError.class, () -> settings("").bundle());
    assertTrue(none.getMessage().startsWith("no model bundle is set"), none.getMessage());
    UserError missing = assertThrows(UserError.class,
        () -> settings(dir.resolve("gone").toString()).bundle());
    assertEquals("model bundle " + dir.resolve("gone") + " does not exist", missing.getMessage());
  }

  @Test
  void badNumbersAreRefusedWithScorerOptionsWords() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Settings("", 0, 0, Device.CPU, 1000));
    assertEquals("batch size must be at least 1, not 0", e.getMessage());
  }

  @Test
  void aModelNamedByACommandIsRemembered() {
    Settings s = settings("/old").remember(" /new ");
    assertEquals("/new", s.model());
    assertEquals("/new", Prefs.get(Settings.MODEL_KEY, ""));
    assertEquals(7, Settings.load().threads());
    assertEquals(90_000, Settings.load().maxPixels());
    assertEquals("/new", Settings.load().model());
    assertEquals(s, s.remember(""));
  }

  private static Settings settings(String model) {
    return new Settings(model, 7, 16, Device.CPU, 90_000);
  }
}
