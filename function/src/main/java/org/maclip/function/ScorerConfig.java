package org.maclip.function;

import org.maclip.scoring.Device;
import org.maclip.scoring.Method;
import org.maclip.scoring.ScorerOptions;

/** How the function's configuration becomes the scorer's options. */
final class ScorerConfig {
  /** How a refusal over the pixel limit tells the operator to raise it. */
  static final String MAX_PIXELS_SETTING = "maclip.max-pixels (MACLIP_MAX_PIXELS)";

  private ScorerConfig() {}

  static ScorerOptions options(FunctionConfig config) {
    return ScorerOptions.defaults()
        .withBatchSize(config.batchSize())
        .withThreads(config.threads())
        .withDevice(Device.parse(config.device()))
        .withMethod(Method.parse(config.method()))
        .withMaxPixels(config.maxPixels())
        .withMaxPixelsSetting(MAX_PIXELS_SETTING);
  }
}
