package org.maclip.scoring;

import java.util.List;

/**
 * The MA-CLIP quality maths as pure functions on embedding arrays: nothing here loads a model or
 * an image. Each function matches the reference's {@code maclip.quality} (torch, float32) to
 * within 1e-6; sums are accumulated in double.
 *
 * <p>Reference: Liao et al., "Beyond Cosine Similarity: Magnitude-Aware CLIP for No-Reference
 * Image Quality Assessment", AAAI 2026, arXiv:2511.09948.
 */
public final class Quality {
  /** Added to the standard deviation of the magnitudes before dividing, as in the paper. */
  public static final double STD_EPS = 1e-6;

  /** Floor of the L2 norm when normalising, as {@code torch.nn.functional.normalize}. */
  private static final double NORM_EPS = 1e-12;

  private Quality() {}

  /**
   * Scores of one view.
   *
   * @param q final score, {@code wSim * qSim + wMag * qMag}
   * @param qSim similarity cue: mean positive-prompt probability over the pairs
   * @param qMag magnitude cue: mean Box-Cox of the scaled magnitudes
   * @param wSim fusion weight of the similarity cue
   * @param wMag fusion weight of the magnitude cue ({@code wSim + wMag = 1})
   * @param pairProbs positive-prompt probability of each antonym pair
   */
  public record ViewValues(
      double q, double qSim, double qMag, double wSim, double wMag, double[] pairProbs) {}

  /** {@code max(|v|, 1e-12)}: the L2 norm {@code torch.nn.functional.normalize} divides by. */
  public static double norm(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    return Math.max(Math.sqrt(sum), NORM_EPS);
  }

  /**
   * Cosine of two equally long vectors, each divided by its {@link #norm}: the dot product of
   * the normalised vectors, without making them (a view's scoring allocates nothing per prompt).
   *
   * @param aNorm {@code norm(a)}, computed once for every prompt a view is compared with
   */
  static double cosine(float[] a, double aNorm, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * b[i];
    }
    return sum / (aNorm * norm(b));
  }

  /** The first of the two probabilities of {@code softmax(first, second)}. */
  public static double softmaxFirst(double first, double second) {
    return 1.0 / (1.0 + Math.exp(second - first));
  }

  /**
   * Probability of the positive prompt of each pair: {@code softmax(s·cos(f, pos), s·cos(f,
   * neg))[0]}, where {@code s} is the (exponentiated) logit scale.
   *
   * @param feature one view's embedding, any norm
   * @param prompts the antonym pairs with their embeddings, any norm
   * @param logitScale CLIP's logit scale, already exponentiated (100 for OpenAI CLIP)
   */
  public static double[] pairProbabilities(
      float[] feature, List<PromptPair> prompts, double logitScale) {
    double imageNorm = norm(feature);
    double[] probs = new double[prompts.size()];
    for (int p = 0; p < probs.length; p++) {
      PromptPair pair = prompts.get(p);
      requireLength(pair.positiveEmbedding(), feature.length, pair.positive());
      requireLength(pair.negativeEmbedding(), feature.length, pair.negative());
      double positive = logitScale * cosine(feature, imageNorm, pair.positiveEmbedding());
      double negative = logitScale * cosine(feature, imageNorm, pair.negativeEmbedding());
      probs[p] = softmaxFirst(positive, negative);
    }
    return probs;
  }

  private static void requireLength(float[] embedding, int expected, String prompt) {
    if (embedding.length != expected) {
      throw new IllegalArgumentException(
          "prompt '" + prompt + "' has " + embedding.length + " values, the image " + expected);
    }
  }

  /** {@code Q_sim}: the mean of the pair probabilities. */
  public static double similarityScore(double[] pairProbs) {
    return mean(pairProbs);
  }

  /** Shifted Box-Cox transform {@code ((x + 1)^λ − 1) / λ}, or {@code log(x + 1)} at λ = 0. */
  public static double boxCox(double x, double lam) {
    if (lam == 0) {
      return Math.log1p(x);
    }
    return (Math.pow(x + 1.0, lam) - 1.0) / lam;
  }

  /**
   * {@code Q_mag}: {@code x = |f| / (std(|f|) + 1e-6)} with the sample standard deviation (N − 1)
   * over the D values, then {@code mean(boxCox(x, λ))}.
   *
   * @param feature one view's unnormalised embedding, at least two values
   */
  public static double magnitudeScore(float[] feature, double lam) {
    double[] magnitude = new double[feature.length];
    for (int i = 0; i < feature.length; i++) {
      magnitude[i] = Math.abs(feature[i]);
    }
    double scale = sampleStd(magnitude) + STD_EPS;
    double sum = 0;
    for (double m : magnitude) {
      sum += boxCox(m / scale, lam);
    }
    return sum / magnitude.length;
  }

  /** Sample standard deviation (divisor N − 1); NaN for fewer than two values, as torch. */
  public static double sampleStd(double[] values) {
    double mean = mean(values);
    double squares = 0;
    for (double v : values) {
      squares += (v - mean) * (v - mean);
    }
    return Math.sqrt(squares / (values.length - 1));
  }

  /** Arithmetic mean. */
  public static double mean(double[] values) {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum / values.length;
  }

  /**
   * Confidence-guided fusion weights: {@code Δ = Q_sim − Q_mag}, {@code (w_sim, w_mag) =
   * softmax(b_sim + αΔ, b_mag − αΔ)}.
   *
   * @return {@code {w_sim, w_mag}}
   */
  public static double[] fusionWeights(double qSim, double qMag, FusionParams params) {
    double delta = qSim - qMag;
    double shift = params.alpha() * delta;
    double wSim = softmaxFirst(params.bSim() + shift, params.bMag() - shift);
    return new double[] {wSim, 1.0 - wSim};
  }

  /** One view's scores with one of the three methods; both cues are always reported. */
  public static ViewValues scoreView(
      float[] feature, List<PromptPair> prompts, double logitScale, Method method,
      FusionParams params) {
    double[] probs = pairProbabilities(feature, prompts, logitScale);
    double qSim = similarityScore(probs);
    double qMag = magnitudeScore(feature, params.lam());
    double[] w =
        switch (method) {
          case MACLIP -> fusionWeights(qSim, qMag, params);
          case CLIPIQA -> new double[] {1.0, 0.0};
          case MAGNITUDE -> new double[] {0.0, 1.0};
        };
    return new ViewValues(w[0] * qSim + w[1] * qMag, qSim, qMag, w[0], w[1], probs);
  }

  /** {@link #scoreView} of each row of {@code features} ({@code [N][D]}). */
  public static ViewValues[] scoreViews(
      float[][] features, List<PromptPair> prompts, double logitScale, Method method,
      FusionParams params) {
    ViewValues[] out = new ViewValues[features.length];
    for (int i = 0; i < features.length; i++) {
      out[i] = scoreView(features[i], prompts, logitScale, method, params);
    }
    return out;
  }
}
