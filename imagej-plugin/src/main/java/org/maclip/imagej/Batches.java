package org.maclip.imagej;

import ij.IJ;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.maclip.scoring.ImageInput;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.Scorer;

/**
 * Scores a list a few images at a time, so a long run shows progress and stops soon after the
 * user presses Esc; the scorer itself keeps memory bounded by batching views.
 */
final class Batches {
  /** Images per call to the scorer: how soon Esc is noticed. */
  static final int CHUNK = 8;

  /** Told about each result, with its position in the list. */
  @FunctionalInterface
  interface Sink {
    void accept(int index, ScoreResult result);
  }

  /** What a run with the kept model did: the model's name for the table, how many were scored. */
  record Run(String model, int done) {}

  private Batches() {}

  /**
   * Scores with the kept model for these settings; Esc, pressed from now on, cancels.
   *
   * @param sinkFor the sink, given the model's name (see {@link KeptModel#describe})
   */
  static Run scoreWithModel(
      Settings settings, List<? extends ImageInput> inputs, Function<String, Sink> sinkFor)
      throws UserError {
    try (var lease = KeptModel.acquire(settings)) {
      Scorer scorer = lease.model();
      String model = KeptModel.describe(scorer);
      IJ.resetEscape();
      return new Run(model, score(scorer, inputs, sinkFor.apply(model), IJ::escapePressed));
    }
  }

  /**
   * @return how many inputs were scored (fewer than all when cancelled; none when Esc came
   *     before the first chunk)
   */
  static int score(
      Scorer scorer, List<? extends ImageInput> inputs, Sink sink, BooleanSupplier cancelled) {
    int done = 0;
    int total = inputs.size();
    while (done < total && !cancelled.getAsBoolean()) {
      int offset = done;
      List<? extends ImageInput> part = inputs.subList(offset, Math.min(total, offset + CHUNK));
      scorer.scoreEach(part, (result, n, size) -> {
        sink.accept(offset + n - 1, result);
        IJ.showProgress(offset + n, total);
        IJ.showStatus("MA-CLIP: " + (offset + n) + "/" + total + " " + result.name());
      });
      done += part.size();
    }
    IJ.showProgress(1.0);
    return done;
  }
}
