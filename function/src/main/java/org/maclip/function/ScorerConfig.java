package org.maclip.function;

import org.maclip.scoring.Device;
import org.maclip.scoring.MemoryBudget;
import org.maclip.scoring.Method;
import org.maclip.scoring.ScorerOptions;

/** How the function's configuration becomes the scorer's options. */
final class ScorerConfig {
  /** How a refusal over the pixel limit tells the operator to raise it. */
  static final String MAX_PIXELS_SETTING = "maclip.max-pixels (MACLIP_MAX_PIXELS)";

  /** How a refusal for memory tells the operator to give an image more. */
  static final String MEMORY_SETTING =
      "raise the function's MemorySize (maclip.memory-mb, by default"
          + " AWS_LAMBDA_FUNCTION_MEMORY_SIZE) or lower maclip.model-memory-mb";

  private ScorerConfig() {}

  static ScorerOptions options(FunctionConfig config) {
    ScorerOptions options =
        ScorerOptions.defaults()
            .withBatchSize(config.batchSize())
            .withThreads(config.threads())
            .withDevice(Device.parse(config.device()))
            .withMethod(Method.parse(config.method()))
            .withMaxPixels(config.maxPixels())
            .withMaxPixelsSetting(MAX_PIXELS_SETTING);
    if (config.memoryMb().isEmpty()) {
      return options;
    }
    long free = Math.max(1, config.memoryMb().get() - config.modelMemoryMb());
    return options.withMemory(new MemoryBudget(free << 20, "the function", MEMORY_SETTING));
  }
}
