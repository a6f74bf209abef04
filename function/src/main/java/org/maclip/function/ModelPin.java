package org.maclip.function;

import java.util.Locale;
import java.util.Optional;

/**
 * The model a deployment names ({@code maclip.model-sha256}): the function refuses to start with
 * any other. A model is rolled out by changing that setting, which changes the function's
 * configuration, so a new version is published (with SnapStart, snapshotted with the new model)
 * and the alias moves to it; every copy of a version scores with the one model it names, and the
 * previous version (or the previous value) rolls it back. Without the setting, whatever
 * {@code maclip.model} holds when a copy starts is used.
 */
public final class ModelPin {
  static final String SETTING = "maclip.model-sha256 (MACLIP_MODEL_SHA256)";

  private ModelPin() {}

  /** Throws when a pin is set and the model read has another sha256 (case ignored). */
  public static void check(Optional<String> pinned, String actual, String location) {
    if (pinned.isEmpty() || pinned.get().isBlank()) {
      return;
    }
    String want = pinned.get().trim().toLowerCase(Locale.ROOT);
    if (!want.equals(actual.toLowerCase(Locale.ROOT))) {
      throw new IllegalStateException(SETTING + " is " + want + ", but the model read from "
          + location + " has sha256 " + actual + ": the model changed without a new version;"
          + " set the new model's sha256 (maclip info prints it) to roll it out, or put the"
          + " pinned model back");
    }
  }
}
