package org.maclip.function;

import org.maclip.scoring.FusionParams;

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
    String lambdaVersion) {}
