package org.maclip.function;

import org.maclip.scoring.Device;
import org.maclip.scoring.Method;
import org.maclip.scoring.Scorer;
import org.maclip.scoring.ScorerOptions;

/** How the configuration becomes scorer options, and what a result says about its model. */
final class Models {
  /** How a refusal over the pixel limit tells the operator to raise it. */
  static final String MAX_PIXELS_SETTING = "maclip.max-pixels (MACLIP_MAX_PIXELS)";

  private Models() {}

  static ScorerOptions options(FunctionConfig config) {
    return ScorerOptions.defaults()
        .withBatchSize(config.batchSize())
        .withThreads(config.threads())
        .withDevice(Device.parse(config.device()))
        .withMethod(Method.parse(config.method()))
        .withMaxPixels(config.maxPixels())
        .withMaxPixelsSetting(MAX_PIXELS_SETTING);
  }

  static Provenance provenance(Scorer scorer, String functionVersion) {
    return new Provenance(
        scorer.bundle().backbone(),
        scorer.bundle().pretrained(),
        scorer.bundle().sha256(),
        scorer.options().method().id(),
        scorer.params(),
        System.getenv().getOrDefault("AWS_LAMBDA_FUNCTION_NAME", "maclip-function"),
        functionVersion,
        System.getenv("AWS_LAMBDA_FUNCTION_VERSION"));
  }
}
