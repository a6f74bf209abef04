package org.maclip.cli.report;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.maclip.scoring.PairProbability;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.ViewScore;

/**
 * One image of a report: what a results file or a {@link ScoreResult} says of it. Scores are NaN
 * where unknown (a failed image).
 *
 * @param name the image's name as the run wrote it (a path, or {@code s3://bucket/key})
 * @param file where its pixels are read for the thumbnail; null when the run does not say
 * @param pairs the probability of each of the run's prompt pairs, in {@link Run#pairs()} order
 *     (NaN where the results do not give it)
 * @param map the patch views' scores, for the quality map; null for a run without views
 * @param error the one-line reason the image failed, else null
 */
public record ImageRow(
    String name,
    Path file,
    double q,
    double qSim,
    double qMag,
    double wSim,
    double wMag,
    int views,
    int width,
    int height,
    List<Double> pairs,
    ViewMap map,
    String error) {

  public ImageRow {
    pairs = List.copyOf(pairs);
  }

  /** A scoring result's row; {@code views} keeps its patch views for the quality map. */
  public static ImageRow of(ScoreResult r, Path file, List<String> pairNames, boolean views) {
    List<Double> pairs = new ArrayList<>(pairNames.size());
    for (String name : pairNames) {
      pairs.add(r.pairs().stream().filter(p -> p.positive().equals(name))
          .mapToDouble(PairProbability::probability).findFirst().orElse(Double.NaN));
    }
    ViewMap map = null;
    if (views && r.ok()) {
      List<ViewMap.Patch> patches = new ArrayList<>();
      for (ViewScore v : r.views()) {
        if (!v.box().global()) {
          patches.add(new ViewMap.Patch(
              v.box().left(), v.box().top(), v.box().width(), v.box().height(), v.q()));
        }
      }
      map = new ViewMap(r.preparedWidth(), r.preparedHeight(), patches);
    }
    return new ImageRow(r.name(), file, r.q(), r.qSim(), r.qMag(), r.wSim(), r.wMag(),
        r.viewCount(), r.width(), r.height(), pairs, map, r.error());
  }

  /** The file a result's {@code name} names, or null when it cannot be a path here. */
  public static Path fileOf(String name) {
    try {
      return Path.of(name);
    } catch (InvalidPathException e) {
      return null;
    }
  }

  /** True when the image was scored. */
  public boolean ok() {
    return error == null;
  }
}
