package org.maclip.function;

import org.maclip.scoring.FusionParams;
import org.maclip.scoring.Scorer;

/**
 * What produced a result: the model, the scoring settings and the function, the same for every
 * result of one container.
 */
public record Provenance(
    String backbone,
    String pretrained,
    String modelSha256,
    String method,
    FusionParams params,
    String functionName,
    String functionVersion,
    String lambdaVersion) {

  /** This container's provenance: the scorer's model and settings, and the function's names. */
  static Provenance of(Scorer scorer, String functionVersion) {
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
