package org.maclip.function;

import java.util.ArrayList;
import java.util.List;
import org.maclip.scoring.ImageInput;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.Scorer;

/**
 * Scores every fetched object of one invocation in a single {@link Scorer#scoreAll} run, so the
 * views of several images share ONNX Runtime batches, and times each image.
 */
public final class BatchScorer {
  private final Scorer scorer;

  public BatchScorer(Scorer scorer) {
    this.scorer = scorer;
  }

  /** One image's result and its share of the batch time. */
  public record Scored(ScoreResult result, long scoreMs) {}

  /** Results in input order, and the wall time of the whole run. */
  public record Batch(List<Scored> items, long batchMs) {}

  /** Undecodable bytes come back as failed results; only runtime failures throw. */
  public Batch score(List<Fetch.Fetched> fetched) {
    if (fetched.isEmpty()) {
      return new Batch(List.of(), 0);
    }
    List<ImageInput> inputs = new ArrayList<>(fetched.size());
    for (Fetch.Fetched f : fetched) {
      inputs.add(ImageInput.of(f.ref().uri(), f.bytes()));
    }
    long[] finished = new long[fetched.size()];
    long start = System.nanoTime();
    List<ScoreResult> results =
        scorer.scoreAll(inputs, (result, done, total) -> finished[done - 1] = System.nanoTime());
    long end = System.nanoTime();
    List<Scored> items = new ArrayList<>(results.size());
    long previous = start;
    for (int i = 0; i < results.size(); i++) {
      long at = finished[i] == 0 ? end : finished[i];
      items.add(new Scored(results.get(i), millis(at - previous)));
      previous = at;
    }
    return new Batch(items, millis(end - start));
  }

  /** How long the scorer's opening phases took (-1 for one still running). */
  public Scorer.LoadTimes loadTimes() {
    return scorer.loadTimes();
  }

  /** The device the scorer runs on; waits for its session. */
  public org.maclip.scoring.Device device() {
    return scorer.device();
  }

  private static long millis(long nanos) {
    return Math.max(0, nanos / 1_000_000);
  }
}
