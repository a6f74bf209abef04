package org.maclip.scoring;

import java.util.List;

/**
 * The scores of one image, or why it could not be scored ({@link #error()} non-null, scores NaN).
 *
 * @param name the input's name (its path for files)
 * @param q final quality score: the mean over views of the fused per-view score
 * @param qSim mean similarity cue
 * @param qMag mean magnitude cue
 * @param wSim mean fusion weight of Q_sim
 * @param wMag mean fusion weight of Q_mag
 * @param pairs mean positive-prompt probability of each antonym pair
 * @param width decoded width, pixels
 * @param height decoded height, pixels
 * @param preparedWidth width after resizing, the frame of the view boxes
 * @param preparedHeight height after resizing
 * @param views per-view scores: patches row by row, then the global view
 * @param error one-line reason the image failed, else null
 */
public record ScoreResult(
    String name,
    double q,
    double qSim,
    double qMag,
    double wSim,
    double wMag,
    List<PairProbability> pairs,
    int width,
    int height,
    int preparedWidth,
    int preparedHeight,
    List<ViewScore> views,
    String error) {

  public ScoreResult {
    pairs = List.copyOf(pairs);
    views = List.copyOf(views);
  }

  /** A result for an input that could not be scored. */
  public static ScoreResult failed(String name, String reason) {
    return new ScoreResult(
        name, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
        List.of(), 0, 0, 0, 0, List.of(), reason);
  }

  /** True when the image was scored. */
  public boolean ok() {
    return error == null;
  }

  /** Number of views scored. */
  public int viewCount() {
    return views.size();
  }
}
