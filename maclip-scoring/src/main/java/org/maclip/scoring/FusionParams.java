package org.maclip.scoring;

/**
 * Parameters of the magnitude cue and the confidence-guided fusion.
 *
 * @param lam Box-Cox exponent λ (0 means log(x + 1))
 * @param alpha fusion temperature α multiplying Δ = Q_sim − Q_mag
 * @param bSim base logit of the similarity cue
 * @param bMag base logit of the magnitude cue
 */
public record FusionParams(double lam, double alpha, double bSim, double bMag) {
  /** The paper's values: λ = 0.5, α = 1, b_sim = 1, b_mag = 0.6. */
  public static final FusionParams PAPER = new FusionParams(0.5, 1.0, 1.0, 0.6);

  public FusionParams {
    requireFinite("lam", lam);
    requireFinite("alpha", alpha);
    requireFinite("b_sim", bSim);
    requireFinite("b_mag", bMag);
  }

  private static void requireFinite(String name, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(name + " must be a finite number, not " + value);
    }
  }
}
