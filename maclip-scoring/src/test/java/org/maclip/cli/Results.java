package org.maclip.cli;

import java.util.List;
import org.maclip.scoring.PairProbability;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.ViewBox;
import org.maclip.scoring.ViewScore;

/** Hand-made results for the writer tests (no model needed). */
final class Results {
  private Results() {}

  /** A scored image with two views (a patch and the global view). */
  static ScoreResult scored(String name, double q) {
    List<ViewScore> views = List.of(
        new ViewScore(new ViewBox(0, 0, 224, 224, false), q - 0.01, 0.6, 0.4, 0.55, 0.45),
        new ViewScore(new ViewBox(0, 0, 224, 300, true), q + 0.01, 0.62, 0.42, 0.56, 0.44));
    return new ScoreResult(name, q, 0.61, 0.41, 0.555, 0.445,
        List.of(new PairProbability("Good image", "bad image", 0.7)),
        300, 224, 300, 224, views, null);
  }
}
