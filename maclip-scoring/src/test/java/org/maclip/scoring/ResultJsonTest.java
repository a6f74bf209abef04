package org.maclip.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultJsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The reference's {@code to_dict(include_views=True)}, read back from a golden result. */
  private static ScoreResult fromReference(JsonNode e) {
    List<PairProbability> pairs = new ArrayList<>();
    for (Map.Entry<String, JsonNode> p : e.get("pair_probs").properties()) {
      pairs.add(new PairProbability(p.getKey(), "", p.getValue().asDouble()));
    }
    List<ViewScore> views = new ArrayList<>();
    for (JsonNode v : e.get("view_scores")) {
      ViewBox box = new ViewBox(v.get("top").asInt(), v.get("left").asInt(),
          v.get("height").asInt(), v.get("width").asInt(), v.get("is_global").asBoolean());
      views.add(new ViewScore(box, v.get("q").asDouble(), v.get("q_sim").asDouble(),
          v.get("q_mag").asDouble(), v.get("w_sim").asDouble(), v.get("w_mag").asDouble()));
    }
    return new ScoreResult(e.get("path").asText(), e.get("q").asDouble(),
        e.get("q_sim").asDouble(), e.get("q_mag").asDouble(), e.get("w_sim").asDouble(),
        e.get("w_mag").asDouble(), pairs, e.get("width").asInt(), e.get("height").asInt(),
        e.get("prepared_width").asInt(), e.get("prepared_height").asInt(), views, null);
  }

  private static ObjectNode written(ScoreResult r, boolean views) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("path", r.name());
    ResultJson.putScores(node, r, views);
    return node;
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void scoredResultMatchesTheReferencesToDictFieldForField() throws IOException {
    JsonNode golden = MAPPER.readTree(GoldenTest.golden().resolve("tinyvit.golden.json").toFile());
    for (JsonNode c : golden.get("cases")) {
      JsonNode expected = c.get("result");
      ObjectNode actual = written(fromReference(expected), true);
      assertEquals(expected, actual);
      assertEquals(names(expected), names(actual));
      assertEquals(names(expected.get("view_scores").get(0)),
          names(actual.get("view_scores").get(0)));
    }
  }

  @Test
  void failedResultHasNullScoresAndSizesAndTheError() {
    ObjectNode node = written(ScoreResult.failed("b.png", "not an image"), false);

    for (String field : List.of("q", "q_sim", "q_mag", "w_sim", "w_mag", "height", "width",
        "prepared_height", "prepared_width")) {
      assertTrue(node.get(field).isNull(), field);
    }
    assertEquals(0, node.get("views").asInt());
    assertEquals("not an image", node.get("error").asText());
    assertTrue(node.get("pair_probs").isEmpty());
    assertFalse(node.has("view_scores"));
  }

  @Test
  void nonFiniteScoresAreNull() {
    ScoreResult r = new ScoreResult("a.png", Double.POSITIVE_INFINITY, 0.5, 0.5, 0.5, 0.5,
        List.of(new PairProbability("Good image", "bad image", Double.NaN)), 2, 1, 2, 1,
        List.of(), null);
    ObjectNode node = written(r, false);

    assertTrue(node.get("q").isNull());
    assertTrue(node.get("pair_probs").get("Good image").isNull());
    assertEquals(2, node.get("width").asInt());
    assertEquals(1, node.get("prepared_height").asInt());
  }
}
