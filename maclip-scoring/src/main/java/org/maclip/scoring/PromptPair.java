package org.maclip.scoring;

/**
 * One antonym prompt pair and its text embeddings (any norm: the maths normalises them).
 *
 * @param positive the positive prompt, e.g. "Good image"
 * @param negative the negative prompt, e.g. "bad image"
 * @param positiveEmbedding D values
 * @param negativeEmbedding D values
 */
public record PromptPair(
    String positive, String negative, float[] positiveEmbedding, float[] negativeEmbedding) {
  public PromptPair {
    if (positiveEmbedding.length != negativeEmbedding.length) {
      throw new IllegalArgumentException(
          "prompt pair '" + positive + "' / '" + negative + "' has embeddings of "
              + positiveEmbedding.length + " and " + negativeEmbedding.length + " values");
    }
  }

  /** D, the embedding dimension. */
  public int dimension() {
    return positiveEmbedding.length;
  }
}
