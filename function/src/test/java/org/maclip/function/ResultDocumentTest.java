package org.maclip.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.maclip.function.event.ObjectRef;
import org.maclip.scoring.FusionParams;
import org.maclip.scoring.PairProbability;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.ViewBox;
import org.maclip.scoring.ViewScore;

class ResultDocumentTest {
  private static final ObjectRef REF = new ObjectRef("b", "in/a b.png", "v1", "e1");
  private static final Fetch.Source SOURCE = new Fetch.Source(1234, "etag", "v1");
  private static final Provenance PROVENANCE = new Provenance("RN50", "random", "abc123",
      "maclip", FusionParams.PAPER, "fn", "0.1.0", "7");
  private static final Instant AT = Instant.parse("2026-03-01T12:00:00Z");

  private static JsonNode written(ScoreResult result, Timings timings) throws IOException {
    byte[] bytes = ResultDocument.bytes(
        ResultDocument.build(REF, SOURCE, result, null, PROVENANCE, timings, AT));
    return new ObjectMapper().readTree(bytes);
  }

  @Test
  void scoredResultCarriesScoresViewsSourceModelAndTimings() throws IOException {
    ScoreResult result = new ScoreResult("s3://b/in/a b.png", 0.5, 0.6, 0.4, 0.7, 0.3,
        List.of(new PairProbability("Good image", "bad image", 0.55)), 300, 200, 300, 224,
        List.of(new ViewScore(new ViewBox(0, 0, 224, 224, false), 0.51, 0.6, 0.4, 0.7, 0.3),
            new ViewScore(new ViewBox(0, 0, 224, 300, true), 0.49, 0.6, 0.4, 0.7, 0.3)),
        null);

    JsonNode doc = written(result, new Timings(12, 34, 56, 3));

    assertEquals("maclip-result", doc.path("format").asText());
    assertTrue(doc.path("ok").asBoolean());
    assertTrue(doc.path("error").isNull());
    assertEquals(0.5, doc.path("q").asDouble());
    assertEquals(0.3, doc.path("w_mag").asDouble());
    assertEquals(0.55, doc.path("pair_probs").path("Good image").asDouble());
    assertEquals(2, doc.path("views").asInt());
    assertEquals(224, doc.path("prepared_height").asInt());
    assertEquals(List.of(false, true), List.of(doc.path("view_scores").get(0).path("is_global")
        .asBoolean(), doc.path("view_scores").get(1).path("is_global").asBoolean()));
    assertEquals(300, doc.path("view_scores").get(1).path("width").asInt());
    assertEquals("in/a b.png", doc.path("source").path("key").asText());
    assertEquals("etag", doc.path("source").path("etag").asText());
    assertEquals("v1", doc.path("source").path("version_id").asText());
    assertEquals(1234, doc.path("source").path("size").asLong());
    assertEquals("abc123", doc.path("model").path("sha256").asText());
    assertEquals(0.6, doc.path("params").path("b_mag").asDouble());
    assertEquals("0.1.0", doc.path("function").path("version").asText());
    assertEquals("7", doc.path("function").path("lambda_version").asText());
    assertEquals(34, doc.path("timings_ms").path("score").asLong());
    assertEquals(3, doc.path("batch_images").asInt());
    assertEquals("2026-03-01T12:00:00Z", doc.path("scored_at").asText());
  }

  @Test
  void failedResultWritesTheErrorAndNullScores() throws IOException {
    JsonNode doc = written(ScoreResult.failed("s3://b/in/a b.png", "not an image"), Timings.NONE);

    assertFalse(doc.path("ok").asBoolean());
    assertEquals("not an image", doc.path("error").asText());
    for (String field : List.of("q", "q_sim", "q_mag", "w_sim", "w_mag", "height", "width")) {
      assertTrue(doc.path(field).isNull(), field);
    }
    assertEquals(0, doc.path("view_scores").size());
  }
}
