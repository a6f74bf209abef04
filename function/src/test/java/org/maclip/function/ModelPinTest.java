package org.maclip.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelPinTest {
  private static final String SHA = "18355180ac28c0e8b4b4e87697f51c613c847fe9e344452214524a93ffe15657";

  @Test
  void noPinOrTheSameModelPasses() {
    ModelPin.check(Optional.empty(), SHA, "s3://models/m.zip");
    ModelPin.check(Optional.of(""), SHA, "s3://models/m.zip");
    ModelPin.check(Optional.of(" " + SHA.toUpperCase() + " "), SHA, "s3://models/m.zip");
  }

  @Test
  void anotherModelIsRefusedNamingTheSettingBothChecksumsAndTheLocation() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> ModelPin.check(Optional.of("ab" + SHA.substring(2)), SHA, "s3://models/m.zip"));
    assertEquals("maclip.model-sha256 (MACLIP_MODEL_SHA256) is ab" + SHA.substring(2)
        + ", but the model read from s3://models/m.zip has sha256 " + SHA + ": the model changed"
        + " without a new version; set the new model's sha256 (maclip info prints it) to roll it"
        + " out, or put the pinned model back", e.getMessage());
  }
}
