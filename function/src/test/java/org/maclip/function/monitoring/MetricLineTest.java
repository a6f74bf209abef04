package org.maclip.function.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class MetricLineTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MetricLine.Context CONTEXT =
      new MetricLine.Context("maclip", "stack-scoring", "RN50/openai int8", "ab12");
  private static final MetricLine.Source SOURCE =
      new MetricLine.Source("photos", "a\nb/ü.png", "v1");

  @Test
  void aScoredImageIsOneLineOfEmfWithItsValuesUnderBothDimensionSets() throws Exception {
    String text = MetricLine.scored(CONTEXT,
        new MetricLine.Scored(SOURCE, 420, 7, 0.8125, true), 1_700_000_000_123L);

    assertFalse(text.contains("\n"), "a newline inside a key must not split the line");
    JsonNode line = JSON.readTree(text);
    assertEquals(1_700_000_000_123L, line.path("_aws").path("Timestamp").asLong());
    JsonNode directive = line.path("_aws").path("CloudWatchMetrics").get(0);
    assertEquals("maclip", directive.path("Namespace").asText());
    assertEquals("[[\"Function\"],[\"Function\",\"Model\"]]",
        directive.path("Dimensions").toString());
    assertEquals("[{\"Name\":\"ImagesScored\",\"Unit\":\"Count\"},"
        + "{\"Name\":\"LatencyMs\",\"Unit\":\"Milliseconds\"},"
        + "{\"Name\":\"Views\",\"Unit\":\"Count\"},{\"Name\":\"Q\",\"Unit\":\"None\"},"
        + "{\"Name\":\"LowQuality\",\"Unit\":\"Count\"}]", directive.path("Metrics").toString());
    assertEquals("stack-scoring", line.path("Function").asText());
    assertEquals("RN50/openai int8", line.path("Model").asText());
    assertEquals(1, line.path("ImagesScored").asInt());
    assertEquals(420, line.path("LatencyMs").asLong());
    assertEquals(7, line.path("Views").asInt());
    assertEquals(0.8125, line.path("Q").asDouble(), 0.0);
    assertEquals(1, line.path("LowQuality").asInt());
    assertEquals("a\nb/ü.png", line.path("key").asText());
    assertEquals("ab12", line.path("model_sha256").asText());
  }

  @Test
  void theModelDimensionNamesTheModelAndTheStartOfItsChecksum() {
    assertEquals("RN50/openai int8 18355180", MetricLine.modelName("RN50", "openai", "int8",
        "18355180ac28c0e8b4b4e87697f51c613c847fe9e344452214524a93ffe15657"));
  }

  @Test
  void withoutAThresholdThereIsNoLowQualityMetric() throws Exception {
    JsonNode line = JSON.readTree(MetricLine.scored(CONTEXT,
        new MetricLine.Scored(SOURCE, 1, 2, 0.5, null), 0));
    assertFalse(line.has("LowQuality"));
    assertFalse(line.path("_aws").toString().contains("LowQuality"));
  }

  @Test
  void aFailureCarriesItsCauseAsADimensionAndItsErrorAsAProperty() throws Exception {
    JsonNode line = JSON.readTree(MetricLine.failed(CONTEXT,
        new MetricLine.Failed(SOURCE, FailureCause.TOO_MANY_PIXELS, "x \"quoted\""), 5));
    JsonNode directive = line.path("_aws").path("CloudWatchMetrics").get(0);
    assertEquals("[[\"Function\"],[\"Function\",\"Cause\"]]",
        directive.path("Dimensions").toString());
    assertEquals("too-many-pixels", line.path("Cause").asText());
    assertEquals(1, line.path("ImagesFailed").asInt());
    assertEquals("x \"quoted\"", line.path("error").asText());
    assertFalse(line.has("Q"));
  }

  @Test
  void aBatchLineHasEveryDeclaredMetric() throws Exception {
    JsonNode line = JSON.readTree(MetricLine.batch(CONTEXT,
        new MetricLine.Batch(10, 2500, true, 1, 3, 0, 2), 5));
    JsonNode directive = line.path("_aws").path("CloudWatchMetrics").get(0);
    assertEquals("[[\"Function\"]]", directive.path("Dimensions").toString());
    for (JsonNode metric : directive.path("Metrics")) {
      assertTrue(line.path(metric.path("Name").asText()).isNumber(), metric.toString());
    }
    assertEquals(10, line.path("BatchImages").asInt());
    assertEquals(1, line.path("FirstBatch").asInt());
    assertEquals(1, line.path("Retried").asInt());
    assertEquals(3, line.path("EventsSent").asInt());
    assertEquals(2, line.path("ReplacedOtherModel").asInt());
  }
}
