package org.maclip.scoring;

import java.util.ArrayList;
import java.util.List;

/** An image's {@link ScoreResult} from its views' scores: per-view records and their means. */
final class Results {
  private Results() {}

  static ScoreResult of(ViewBatch.Job job, Quality.ViewValues[] values, List<PromptPair> prompts) {
    int n = values.length;
    List<ViewScore> views = new ArrayList<>(n);
    double[] sums = new double[5];
    double[] pairSums = new double[prompts.size()];
    for (int v = 0; v < n; v++) {
      Quality.ViewValues s = values[v];
      views.add(new ViewScore(job.boxes.get(v), s.q(), s.qSim(), s.qMag(), s.wSim(), s.wMag()));
      double[] fields = {s.q(), s.qSim(), s.qMag(), s.wSim(), s.wMag()};
      for (int f = 0; f < fields.length; f++) {
        sums[f] += fields[f];
      }
      for (int p = 0; p < pairSums.length; p++) {
        pairSums[p] += s.pairProbs()[p];
      }
    }
    List<PairProbability> pairs = new ArrayList<>(prompts.size());
    for (int p = 0; p < pairSums.length; p++) {
      PromptPair pair = prompts.get(p);
      pairs.add(new PairProbability(pair.positive(), pair.negative(), pairSums[p] / n));
    }
    return new ScoreResult(
        job.name, sums[0] / n, sums[1] / n, sums[2] / n, sums[3] / n, sums[4] / n, pairs,
        job.width, job.height, job.preparedWidth, job.preparedHeight, views, null);
  }
}
