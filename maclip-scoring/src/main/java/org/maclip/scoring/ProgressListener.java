package org.maclip.scoring;

/** Told as each image of a {@link Scorer#scoreAll} run is finished, in input order. */
@FunctionalInterface
public interface ProgressListener {
  ProgressListener NONE = (result, done, total) -> {};

  /**
   * @param result the image just finished (scored or failed)
   * @param done images finished so far, including this one
   * @param total images in the run
   */
  void finished(ScoreResult result, int done, int total);
}
