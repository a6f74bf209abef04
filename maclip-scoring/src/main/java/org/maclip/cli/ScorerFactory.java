package org.maclip.cli;

import org.maclip.scoring.Bundle;
import org.maclip.scoring.FusionParams;
import org.maclip.scoring.Scorer;
import org.maclip.scoring.ScorerOptions;

/** Opens the scorer the command line asks for: options, and fusion parameters over the bundle's. */
final class ScorerFactory {
  private ScorerFactory() {}

  /** Fusion parameters given on the command line; null keeps the bundle's default. */
  record Overrides(Double lam, Double alpha, Double bSim, Double bMag) {
    boolean any() {
      return lam != null || alpha != null || bSim != null || bMag != null;
    }

    /** {@code defaults} with the given values in place of theirs. */
    FusionParams over(FusionParams defaults) {
      return new FusionParams(
          lam != null ? lam : defaults.lam(),
          alpha != null ? alpha : defaults.alpha(),
          bSim != null ? bSim : defaults.bSim(),
          bMag != null ? bMag : defaults.bMag());
    }
  }

  /**
   * Opens {@code bundle}, read once by the caller, with {@code options} and the fusion parameters
   * {@code overrides} gives over the bundle's defaults.
   *
   * @throws org.maclip.scoring.ModelException the bundle cannot be used
   */
  static Scorer open(Bundle.Loaded bundle, ScorerOptions options, Overrides overrides) {
    ScorerOptions effective = overrides.any()
        ? options.withParams(overrides.over(bundle.bundle().defaults()))
        : options;
    return Scorer.open(bundle, effective);
  }
}
