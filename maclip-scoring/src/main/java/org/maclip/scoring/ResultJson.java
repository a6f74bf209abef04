package org.maclip.scoring;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A {@link ScoreResult}'s scores as JSON fields, named and ordered as in the reference's
 * {@code ImageResult.to_dict()}: q, q_sim, q_mag, w_sim, w_mag, views, height, width, error,
 * pair_probs, prepared_height, prepared_width and, on request, view_scores. A score that is not
 * finite is {@code null}, and so are the sizes of an image that failed. Callers add their own
 * fields around these (the CLI its path, the function its source and provenance).
 */
public final class ResultJson {
  private ResultJson() {}

  /** Adds the score fields of {@code r} to {@code into}; {@code views} adds view_scores. */
  public static void putScores(ObjectNode into, ScoreResult r, boolean views) {
    putScore(into, "q", r.q());
    putScore(into, "q_sim", r.qSim());
    putScore(into, "q_mag", r.qMag());
    putScore(into, "w_sim", r.wSim());
    putScore(into, "w_mag", r.wMag());
    into.put("views", r.viewCount());
    putSize(into, "height", r.ok(), r.height());
    putSize(into, "width", r.ok(), r.width());
    into.put("error", r.error());
    ObjectNode pairs = into.putObject("pair_probs");
    for (PairProbability pair : r.pairs()) {
      putScore(pairs, pair.positive(), pair.probability());
    }
    putSize(into, "prepared_height", r.ok(), r.preparedHeight());
    putSize(into, "prepared_width", r.ok(), r.preparedWidth());
    if (views) {
      ArrayNode list = into.putArray("view_scores");
      for (ViewScore v : r.views()) {
        putView(list.addObject(), v);
      }
    }
  }

  private static void putView(ObjectNode into, ViewScore v) {
    into.put("top", v.box().top());
    into.put("left", v.box().left());
    into.put("height", v.box().height());
    into.put("width", v.box().width());
    into.put("is_global", v.box().global());
    putScore(into, "q", v.q());
    putScore(into, "q_sim", v.qSim());
    putScore(into, "q_mag", v.qMag());
    putScore(into, "w_sim", v.wSim());
    putScore(into, "w_mag", v.wMag());
  }

  private static void putScore(ObjectNode into, String name, double value) {
    if (Double.isFinite(value)) {
      into.put(name, value);
    } else {
      into.putNull(name);
    }
  }

  private static void putSize(ObjectNode into, String name, boolean known, int value) {
    if (known) {
      into.put(name, value);
    } else {
      into.putNull(name);
    }
  }
}
