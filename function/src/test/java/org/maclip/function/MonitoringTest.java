package org.maclip.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.maclip.function.monitoring.MetricsSink;
import org.maclip.function.monitoring.QualityEvents;
import org.maclip.function.testing.MotoResource;
import org.maclip.function.testing.RecordingMetricsSink;
import org.maclip.function.testing.S3Fixture;
import org.maclip.function.testing.S3Fixture.Bucket;
import org.maclip.function.testing.TestImages;
import org.maclip.scoring.ImageInput;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.Scorer;

/**
 * What operators see, end to end against moto: a metric line per image scored or failed (with
 * its cause) and per batch, and the EventBridge events a user's rule routes to an SQS queue. The
 * {@code %test} settings announce Q under 0.95 and every error.
 */
@QuarkusTest
@WithTestResource(MotoResource.class)
class MonitoringTest {
  private static final double THRESHOLD = 0.95;

  @Inject
  Scorer scorer;

  @Inject
  MetricsSink sink;

  private S3Fixture aws;
  private Bucket bucket;
  private String announcements;

  @BeforeEach
  void setUp(TestInfo test) {
    aws = MotoResource.fixture();
    String name = ("mon-" + test.getTestMethod().orElseThrow().getName())
        .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "-");
    bucket = aws.bucketWithQueue(name.substring(0, Math.min(name.length(), 50)));
    announcements = aws.announcements(bucket);
  }

  @AfterEach
  void tearDown() {
    if (aws != null) {
      aws.close();
    }
  }

  @Test
  void everyScoredImageIsAMetricLineAndTheLowOnesAreAnnouncedAndTagged() {
    Map<String, byte[]> images = new LinkedHashMap<>();
    for (int i = 0; i < 6; i++) {
      images.put("shots/photo " + i + ".png", TestImages.png(90 + 40 * i, 240 - 20 * i, 20 + i));
    }
    images.forEach((key, bytes) -> aws.put(bucket.name(), key, bytes));
    Map<String, ScoreResult> expected = new TreeMap<>();
    images.forEach((key, bytes) -> expected.put(key, scorer.score(ImageInput.of(key, bytes))));
    Set<String> low = expected.entrySet().stream().filter(e -> e.getValue().q() < THRESHOLD)
        .map(Map.Entry::getKey).collect(Collectors.toSet());
    assertTrue(!low.isEmpty() && low.size() < images.size(),
        "the images must fall on both sides of the threshold: " + expected.values().stream()
            .map(ScoreResult::q).toList());
    int before = recorder().all().size();

    ScoreFunctionTest.invoke(S3Fixture.sqsEvent(bucket, aws.drain(bucket)));

    Map<String, JsonNode> lines = byKey(recorder().forBucket(bucket.name()));
    assertEquals(expected.keySet(), lines.keySet());
    for (Map.Entry<String, ScoreResult> e : expected.entrySet()) {
      JsonNode line = lines.get(e.getKey());
      assertEmf(line, List.of(List.of("Function"), List.of("Function", "Model")));
      assertEquals(1, line.path("ImagesScored").asInt());
      assertEquals(e.getValue().q(), line.path("Q").asDouble(), 1e-6);
      assertEquals(e.getValue().viewCount(), line.path("Views").asInt());
      assertTrue(line.path("LatencyMs").asLong() >= 0);
      boolean isLow = low.contains(e.getKey());
      assertEquals(isLow ? 1 : 0, line.path("LowQuality").asInt(), e.getKey());
      assertEquals("TinyRN/random fp32 " + scorer.bundle().sha256().substring(0, 8),
          line.path("Model").asText());
      assertEquals(scorer.bundle().sha256(), line.path("model_sha256").asText());
      assertEquals(isLow, aws.result(bucket.name(), e.getKey()).orElseThrow()
          .path("low_quality").asBoolean());
      assertEquals(isLow ? "true" : null,
          aws.tags(bucket.name(), e.getKey()).get(ResultStore.LOW_QUALITY_TAG));
    }
    JsonNode batch = onlyBatchLine(before);
    assertEmf(batch, List.of(List.of("Function")));
    assertEquals(6, batch.path("BatchImages").asInt());
    assertEquals(0, batch.path("Retried").asInt());
    assertEquals(low.size(), batch.path("EventsSent").asInt());
    assertEquals(0, batch.path("EventsFailed").asInt());

    List<JsonNode> events = aws.announced(announcements);
    assertEquals(low, events.stream().map(ev -> ev.path("detail").path("key").asText())
        .collect(Collectors.toSet()));
    for (JsonNode event : events) {
      assertEquals(QualityEvents.SOURCE, event.path("source").asText());
      assertEquals(QualityEvents.LOW_QUALITY, event.path("detail-type").asText());
      JsonNode detail = event.path("detail");
      ScoreResult score = expected.get(detail.path("key").asText());
      assertEquals(bucket.name(), detail.path("bucket").asText());
      assertEquals(score.q(), detail.path("q").asDouble(), 1e-6);
      assertEquals(score.qSim(), detail.path("q_sim").asDouble(), 1e-6);
      assertEquals(score.qMag(), detail.path("q_mag").asDouble(), 1e-6);
      assertEquals(THRESHOLD, detail.path("low_quality_below").asDouble(), 0.0);
      assertEquals(scorer.bundle().sha256(), detail.path("model").path("sha256").asText());
      assertEquals("s3://" + bucket.name() + "/maclip-results/" + detail.path("key").asText()
          + ".json", detail.path("result").asText());
    }
  }

  @Test
  void everyFailureIsCountedWithItsCauseAndAnnounced() {
    aws.put(bucket.name(), "broken.png", "not an image at all".getBytes(StandardCharsets.UTF_8));
    aws.put(bucket.name(), "empty.png", new byte[0]);
    aws.put(bucket.name(), "large.png", TestImages.encode("png", 520, 520, 5, 255));
    aws.put(bucket.name(), "wide.png", TestImages.png(600, 400, 6));
    aws.put(bucket.name(), "thin.png", TestImages.png(120, 440, 7));
    aws.put(bucket.name(), "gone.png", TestImages.png(100, 100, 8));
    String event = S3Fixture.sqsEvent(bucket, aws.drain(bucket));
    aws.s3.deleteObject(b -> b.bucket(bucket.name()).key("gone.png"));
    int before = recorder().all().size();

    assertEquals(List.of(), ScoreFunctionTest.failures(ScoreFunctionTest.invoke(event)));

    Map<String, String> causes = new TreeMap<>();
    for (JsonNode line : recorder().forBucket(bucket.name())) {
      assertEmf(line, List.of(List.of("Function"), List.of("Function", "Cause")));
      assertEquals(1, line.path("ImagesFailed").asInt());
      assertFalse(line.path("error").asText().isBlank());
      causes.put(line.path("key").asText(), line.path("Cause").asText());
    }
    Map<String, String> want = new TreeMap<>(Map.of("broken.png", "unreadable",
        "empty.png", "unreadable", "large.png", "too-large", "wide.png", "too-many-pixels",
        "thin.png", "not-enough-memory", "gone.png", "source-gone"));
    assertEquals(want, causes);
    JsonNode batch = onlyBatchLine(before);
    assertEquals(6, batch.path("BatchImages").asInt());
    assertEquals(5, batch.path("EventsSent").asInt(), "every error result; a deleted one has none");

    Map<String, String> announced = new TreeMap<>();
    for (JsonNode ev : aws.announced(announcements)) {
      assertEquals(QualityEvents.NOT_SCORED, ev.path("detail-type").asText());
      assertEquals(aws.result(bucket.name(), ev.path("detail").path("key").asText())
          .orElseThrow().path("error").asText(), ev.path("detail").path("error").asText());
      announced.put(ev.path("detail").path("key").asText(),
          ev.path("detail").path("cause").asText());
    }
    want.remove("gone.png");
    assertEquals(want, announced);
  }

  @Test
  void anObjectHandedBackForARetryIsCountedAsRetriedNotFailed() {
    aws.put(bucket.name(), "fine.png", TestImages.png(80, 80, 12));
    aws.put(bucket.name(), MotoResource.THROTTLED + "/x.png", TestImages.png(80, 80, 13));
    int before = recorder().all().size();

    ScoreFunctionTest.invoke(S3Fixture.sqsEvent(bucket, aws.drain(bucket)));

    assertEquals(Set.of("fine.png"), byKey(recorder().forBucket(bucket.name())).keySet());
    JsonNode batch = onlyBatchLine(before);
    assertEquals(2, batch.path("BatchImages").asInt());
    assertEquals(1, batch.path("Retried").asInt());
  }

  @Test
  void aResultOfAnotherModelIsReplacedOnlyLoudly() {
    aws.put(bucket.name(), "again.png", TestImages.png(90, 70, 14));
    String event = S3Fixture.sqsEvent(bucket, aws.drain(bucket));
    String ours = scorer.bundle().sha256();
    String results = "maclip-results/again.png.json";

    ScoreFunctionTest.invoke(event); // the first result: written without a HeadObject
    assertEquals(ours, aws.s3.headObject(b -> b.bucket(bucket.name()).key(results)).metadata()
        .get(ResultStore.MODEL_METADATA));
    int before = recorder().all().size();
    ScoreFunctionTest.invoke(event); // this model's own result again: nothing to say
    assertEquals(0, onlyBatchLine(before).path("ReplacedOtherModel").asInt());

    String other = "0".repeat(64);
    aws.s3.copyObject(b -> b.sourceBucket(bucket.name()).sourceKey(results)
        .destinationBucket(bucket.name()).destinationKey(results)
        .metadataDirective("REPLACE").metadata(Map.of(ResultStore.MODEL_METADATA, other)));
    before = recorder().all().size();
    ScoreFunctionTest.invoke(event);

    assertEquals(1, onlyBatchLine(before).path("ReplacedOtherModel").asInt());
    assertEquals(ours, aws.s3.headObject(b -> b.bucket(bucket.name()).key(results)).metadata()
        .get(ResultStore.MODEL_METADATA));
  }

  private RecordingMetricsSink recorder() {
    return (RecordingMetricsSink) sink;
  }

  /** The one batch line written since {@code before} lines. */
  private JsonNode onlyBatchLine(int before) {
    List<JsonNode> all = recorder().all();
    List<JsonNode> batches = all.subList(before, all.size()).stream()
        .filter(line -> line.has("BatchImages")).toList();
    assertEquals(1, batches.size(), "one batch line per invocation");
    return batches.get(0);
  }

  private static Map<String, JsonNode> byKey(List<JsonNode> lines) {
    Map<String, JsonNode> byKey = new TreeMap<>();
    for (JsonNode line : lines) {
      assertTrue(byKey.put(line.path("key").asText(), line) == null, "one line per image");
    }
    return byKey;
  }

  /** A valid EMF line: its directive's dimensions, and a value for every metric it declares. */
  private static void assertEmf(JsonNode line, List<List<String>> dimensions) {
    JsonNode directive = line.path("_aws").path("CloudWatchMetrics").get(0);
    assertTrue(line.path("_aws").path("Timestamp").asLong() > 1_600_000_000_000L);
    assertEquals("maclip", directive.path("Namespace").asText());
    List<List<String>> sets = new java.util.ArrayList<>();
    directive.path("Dimensions").forEach(set -> {
      List<String> names = new java.util.ArrayList<>();
      set.forEach(n -> names.add(n.asText()));
      sets.add(names);
    });
    assertEquals(dimensions, sets);
    Set<String> seen = new HashSet<>();
    for (JsonNode metric : directive.path("Metrics")) {
      String name = metric.path("Name").asText();
      assertTrue(line.path(name).isNumber(), () -> name + " has no value in " + line);
      seen.add(name);
    }
    assertFalse(seen.isEmpty());
    sets.forEach(set -> set.forEach(d -> assertTrue(line.path(d).isTextual(), d)));
  }
}
