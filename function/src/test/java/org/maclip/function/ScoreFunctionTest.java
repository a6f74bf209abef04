package org.maclip.function;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.maclip.function.testing.MotoResource;
import org.maclip.function.testing.S3Fixture;
import org.maclip.function.testing.S3Fixture.Bucket;
import org.maclip.function.testing.TestImages;
import org.maclip.scoring.ImageInput;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.Scorer;
import org.maclip.scoring.ViewScore;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The function end to end: real S3 notifications from moto, delivered directly or in Lambda's
 * SQS envelope through Quarkus' mock Lambda event server, and the results the function writes.
 * The tests run with {@code %test} settings: the tiny ResNet bundle, a 400,000-byte size limit, a
 * 200,000-pixel limit, tagging on, and the whole bucket as input.
 */
@QuarkusTest
@WithTestResource(MotoResource.class)
class ScoreFunctionTest {
  private static final double TOLERANCE = 1e-6;

  @Inject
  Scorer scorer;

  private S3Fixture aws;
  private Bucket bucket;

  @BeforeEach
  void setUp(TestInfo test) {
    aws = MotoResource.fixture();
    String name = test.getTestMethod().orElseThrow().getName().toLowerCase(Locale.ROOT);
    String bucketName = name.replaceAll("[^a-z0-9]", "-");
    bucket = aws.bucketWithQueue(bucketName.substring(0, Math.min(bucketName.length(), 50)));
  }

  @AfterEach
  void tearDown() {
    if (aws != null) {
      aws.close();
    }
  }

  @Test
  void sqsBatchScoresEveryImageAsTheScorerDoes() {
    List<String> keys = List.of("deep/a/b/c/d/e/photo one.png", "x+y=z.png",
        "ünïcødé/猫 と café.jpg");
    List<byte[]> images = List.of(TestImages.png(300, 200, 1), TestImages.png(64, 48, 2),
        TestImages.encode("jpg", 250, 260, 3, 16));
    List<String> eTags = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      eTags.add(aws.put(bucket.name(), keys.get(i), images.get(i)));
    }
    List<Message> messages = aws.drain(bucket); // S3's test event and the three notifications

    assertEquals(List.of(), failures(invoke(S3Fixture.sqsEvent(bucket, messages))));

    for (int i = 0; i < keys.size(); i++) {
      JsonNode result = aws.result(bucket.name(), keys.get(i)).orElseThrow(
          () -> new AssertionError("no result written"));
      assertEquals(keys.get(i), result.path("source").path("key").asText());
      assertEquals(eTags.get(i).replace("\"", ""), result.path("source").path("etag").asText());
      assertEquals(images.get(i).length, result.path("source").path("size").asLong());
      assertTrue(images.get(i).length < 400_000, "under the test size limit");
      assertEquals(3, result.path("batch_images").asInt(), "one scoring run for the batch");
      assertEquals(scorer.bundle().sha256(), result.path("model").path("sha256").asText());
      ScoreResult expected = scorer.score(
          ImageInput.of("s3://" + bucket.name() + "/" + keys.get(i), images.get(i)));
      assertSameScores(expected, result);
      assertEquals(ResultStore.tagValue(expected.q()),
          aws.tags(bucket.name(), keys.get(i)).get("maclip-q"));
    }
  }

  @Test
  void directS3EventIsScored() {
    byte[] image = TestImages.png(230, 240, 4);
    aws.put(bucket.name(), "direct/sub dir/ä+b.png", image);
    Message message = S3Fixture.messageFor(aws.drain(bucket), "direct/sub dir/ä+b.png");

    invoke(message.body()); // the S3 notification itself, as S3 sends it to a function

    JsonNode result = aws.result(bucket.name(), "direct/sub dir/ä+b.png").orElseThrow();
    assertSameScores(scorer.score(ImageInput.of("direct", image)), result);
  }

  @Test
  void unscorableObjectsGetAnErrorResultAndAreNotRetried() {
    aws.put(bucket.name(), "broken.png", "not an image at all".getBytes(StandardCharsets.UTF_8));
    aws.put(bucket.name(), "empty.png", new byte[0]);
    byte[] large = TestImages.encode("png", 520, 520, 5, 255);
    assertTrue(large.length > 400_000, "the over-limit image must exceed the test limit");
    aws.put(bucket.name(), "large.png", large);
    byte[] wide = TestImages.png(600, 400, 6);
    assertTrue(wide.length < 400_000, "the over-pixel-limit image must be under the byte limit");
    aws.put(bucket.name(), "wide.png", wide);
    // 120x440, upscaled to 224x821 on floats: about 5.4 MB, over the test's 4 MB for images
    aws.put(bucket.name(), "thin.png", TestImages.png(120, 440, 7));

    assertEquals(List.of(), failures(invoke(S3Fixture.sqsEvent(bucket, aws.drain(bucket)))));

    JsonNode broken = aws.result(bucket.name(), "broken.png").orElseThrow();
    assertFalse(broken.path("ok").asBoolean());
    assertFalse(broken.path("error").asText().isBlank());
    assertTrue(broken.path("q").isNull());
    assertTrue(aws.result(bucket.name(), "empty.png").orElseThrow()
        .path("error").asText().contains("empty (0 bytes)"));
    assertTrue(aws.result(bucket.name(), "large.png").orElseThrow()
        .path("error").asText().contains("over the limit of 400000 bytes"));
    assertTrue(aws.result(bucket.name(), "wide.png").orElseThrow().path("error").asText()
        .endsWith("600x400 = 240000 pixels is over the limit of 200000 (decompression-bomb guard);"
            + " raise it with maclip.max-pixels (MACLIP_MAX_PIXELS)"));
    assertEquals(
        "120x440 needs 6 MB to decode and prepare, the function has 4 MB free; "
            + ScorerConfig.MEMORY_SETTING,
        aws.result(bucket.name(), "thin.png").orElseThrow().path("error").asText()
            .replaceFirst("^.*thin.png: ", ""));
    assertFalse(aws.tags(bucket.name(), "broken.png").containsKey("maclip-q"));
  }

  @Test
  void objectDeletedBeforeItIsReadIsSkipped() {
    aws.put(bucket.name(), "gone.png", TestImages.png(100, 100, 6));
    String event = S3Fixture.sqsEvent(bucket, aws.drain(bucket));
    aws.s3.deleteObject(b -> b.bucket(bucket.name()).key("gone.png"));

    assertEquals(List.of(), failures(invoke(event)));

    assertEquals(List.of(), aws.keys(bucket.name(), "maclip-results/"));
  }

  @Test
  void resultsAndOtherKeysAreNeverScoredSoTheFunctionCannotTriggerItself() {
    aws.put(bucket.name(), "maclip-results/planted.png", TestImages.png(100, 100, 7));
    aws.put(bucket.name(), "notes.txt", "text".getBytes(StandardCharsets.UTF_8));
    aws.put(bucket.name(), "photo.png", TestImages.png(100, 100, 8));
    invoke(S3Fixture.sqsEvent(bucket, aws.drain(bucket)));
    List<String> written = List.of("maclip-results/photo.png.json");
    assertEquals(written, aws.keys(bucket.name(), "maclip-results/photo"));
    assertEquals(List.of("maclip-results/photo.png.json", "maclip-results/planted.png"),
        aws.keys(bucket.name(), "maclip-results/"));

    // Writing the result notified the queue again: that notification must change nothing.
    List<Message> echo = aws.drain(bucket);
    assertEquals(List.of("maclip-results/photo.png.json"),
        echo.stream().map(S3Fixture::keyOf).toList());
    assertEquals(List.of(), failures(invoke(S3Fixture.sqsEvent(bucket, echo))));
    assertEquals(List.of(), aws.drain(bucket), "no further write, so no further notification");
  }

  @Test
  void theSameEventTwiceWritesOneResult() {
    aws.put(bucket.name(), "twice.png", TestImages.png(120, 90, 9));
    Message message = S3Fixture.messageFor(aws.drain(bucket), "twice.png");
    String event = S3Fixture.sqsEvent(bucket, List.of(message));

    invoke(event);
    JsonNode first = aws.result(bucket.name(), "twice.png").orElseThrow();
    invoke(event);
    invoke(S3Fixture.sqsEvent(bucket, List.of(message, message))); // duplicated in one batch
    JsonNode last = aws.result(bucket.name(), "twice.png").orElseThrow();

    assertEquals(List.of("maclip-results/twice.png.json"),
        aws.keys(bucket.name(), "maclip-results/"));
    assertEquals(first.path("q").asDouble(), last.path("q").asDouble(), 0.0);
    assertEquals(1, last.path("batch_images").asInt(), "a duplicate is scored once");
  }

  @Test
  void onlyTheFailingMessageOfABatchIsReported() {
    for (String key : List.of("ok-1.png", MotoResource.THROTTLED + "/b.png", "ok-2.png")) {
      aws.put(bucket.name(), key, TestImages.png(80, 80, key.hashCode()));
    }
    List<Message> messages = aws.drain(bucket);
    Message throttled = S3Fixture.messageFor(messages, MotoResource.THROTTLED + "/b.png");

    assertEquals(List.of(throttled.messageId()),
        failures(invoke(S3Fixture.sqsEvent(bucket, messages))));

    assertTrue(aws.result(bucket.name(), "ok-1.png").isPresent());
    assertTrue(aws.result(bucket.name(), "ok-2.png").isPresent());
    assertTrue(aws.result(bucket.name(), MotoResource.THROTTLED + "/b.png").isEmpty());
  }

  @Test
  void aDirectInvocationWithATransientFailureFailsSoThatLambdaRetriesIt() {
    String key = MotoResource.THROTTLED + "/direct.png";
    aws.put(bucket.name(), key, TestImages.png(80, 80, 11));
    Message message = S3Fixture.messageFor(aws.drain(bucket), key);

    String error = given().contentType("application/json").body(message.body())
        .when().post()
        .then().statusCode(500)
        .extract().asString();

    assertTrue(error.contains(RetryableFailure.class.getSimpleName()), error);
    assertTrue(aws.result(bucket.name(), key).isEmpty());
  }

  @Test
  void aMessageThatIsNotAnS3NotificationIsReported() {
    aws.put(bucket.name(), "fine.png", TestImages.png(80, 80, 10));
    List<Message> messages = new ArrayList<>(aws.drain(bucket));
    aws.sqs.sendMessage(b -> b.queueUrl(bucket.queueUrl()).messageBody("{\"hello\": 1}"));
    Message stray = aws.drain(bucket).get(0);
    messages.add(stray);

    assertEquals(List.of(stray.messageId()),
        failures(invoke(S3Fixture.sqsEvent(bucket, messages))));
    assertTrue(aws.result(bucket.name(), "fine.png").isPresent());
  }

  static String invoke(String event) {
    return given().contentType("application/json").body(event)
        .when().post()
        .then().statusCode(200)
        .extract().asString();
  }

  static List<String> failures(String response) {
    List<String> ids = new ArrayList<>();
    for (JsonNode failure : S3Fixture.readTree(response).path("batchItemFailures")) {
      ids.add(failure.path("itemIdentifier").asText());
    }
    return ids;
  }

  private static void assertSameScores(ScoreResult expected, JsonNode actual) {
    assertTrue(expected.ok(), () -> "the scorer failed: " + expected.error());
    assertTrue(actual.path("ok").asBoolean(), () -> "result: " + actual);
    assertEquals(expected.q(), actual.path("q").asDouble(), TOLERANCE);
    assertEquals(expected.qSim(), actual.path("q_sim").asDouble(), TOLERANCE);
    assertEquals(expected.qMag(), actual.path("q_mag").asDouble(), TOLERANCE);
    assertEquals(expected.wSim(), actual.path("w_sim").asDouble(), TOLERANCE);
    assertEquals(expected.wMag(), actual.path("w_mag").asDouble(), TOLERANCE);
    assertEquals(expected.width(), actual.path("width").asInt());
    assertEquals(expected.height(), actual.path("height").asInt());
    assertEquals(expected.pairs().size(), actual.path("pair_probs").size());
    expected.pairs().forEach(p -> assertEquals(p.probability(),
        actual.path("pair_probs").path(p.positive()).asDouble(), TOLERANCE));
    assertEquals(expected.viewCount(), actual.path("views").asInt());
    for (int v = 0; v < expected.viewCount(); v++) {
      ViewScore view = expected.views().get(v);
      JsonNode json = actual.path("view_scores").get(v);
      assertNotNull(json);
      assertEquals(view.box().top(), json.path("top").asInt());
      assertEquals(view.box().left(), json.path("left").asInt());
      assertEquals(view.box().global(), json.path("is_global").asBoolean());
      assertEquals(view.q(), json.path("q").asDouble(), TOLERANCE);
    }
  }
}
