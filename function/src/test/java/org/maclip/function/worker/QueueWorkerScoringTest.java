package org.maclip.function.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.maclip.function.ScoringService;
import org.maclip.function.testing.MotoResource;
import org.maclip.function.testing.MotoServer;
import org.maclip.function.testing.S3Fixture;
import org.maclip.function.testing.S3Fixture.Bucket;
import org.maclip.function.testing.TestImages;
import org.maclip.scoring.ImageInput;
import org.maclip.scoring.Scorer;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The worker over the function's own ScoringService and model, against moto's S3 and SQS (S3
 * through the throttling proxy): two threads sharing one ONNX Runtime session score what the
 * bucket notified, delete those messages, and leave the one S3 keeps refusing to the queue's
 * redrive, which moves it to the dead-letter queue.
 */
@QuarkusTest
@WithTestResource(MotoResource.class)
class QueueWorkerScoringTest {
  @Inject
  ScoringService service;

  @Inject
  Scorer scorer;

  @Test
  void scoresDeletesAndLeavesTheFailureToTheRedrive() throws Exception {
    Optional<String> endpoint = ConfigProvider.getConfig()
        .getOptionalValue(MotoResource.ENDPOINT_KEY, String.class);
    assumeTrue(endpoint.isPresent(), MotoServer.absentMessage());
    try (S3Fixture aws = new S3Fixture(URI.create(endpoint.get()))) {
      Bucket bucket = aws.bucketWithQueue("worker-scoring");
      String dlq = aws.sqs.createQueue(b -> b.queueName("worker-scoring-dead")).queueUrl();
      String dlqArn = aws.sqs.getQueueAttributes(b -> b.queueUrl(dlq)
          .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes()
          .get(QueueAttributeName.QUEUE_ARN);
      aws.sqs.setQueueAttributes(b -> b.queueUrl(bucket.queueUrl()).attributes(Map.of(
          QueueAttributeName.REDRIVE_POLICY,
          "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"2\"}")));
      List<String> good = new ArrayList<>();
      List<byte[]> images = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        good.add("in/photo " + i + ".png");
        images.add(TestImages.png(90 + 40 * i, 200 - 20 * i, 20 + i)); // portrait and landscape
        aws.put(bucket.name(), good.get(i), images.get(i));
      }
      aws.put(bucket.name(), "in/broken.png", "no image".getBytes(StandardCharsets.UTF_8));
      String throttled = "in/" + MotoResource.THROTTLED + ".png";
      aws.put(bucket.name(), throttled, TestImages.png(64, 64, 30));

      QueueWorker worker = new QueueWorker(aws.sqs,
          new WorkerSettings(bucket.queueUrl(), 3, 2, 1, 3, 900), service::handle);
      Thread running = new Thread(worker, "test-worker");
      running.start();
      List<Message> dead = new ArrayList<>();
      long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (dead.isEmpty() && System.nanoTime() < until) {
        dead = aws.sqs.receiveMessage(b -> b.queueUrl(dlq).waitTimeSeconds(1)).messages();
      }
      worker.stop();
      assertTrue(worker.awaitFinished(Duration.ofSeconds(30)));

      assertEquals(List.of(throttled), dead.stream().map(S3Fixture::keyOf).toList());
      for (int i = 0; i < good.size(); i++) {
        JsonNode result = aws.result(bucket.name(), good.get(i)).orElseThrow();
        assertTrue(result.path("ok").asBoolean(), result::toString);
        assertEquals(scorer.score(ImageInput.of(good.get(i), images.get(i))).q(),
            result.path("q").asDouble(), 1e-6);
      }
      assertFalse(aws.result(bucket.name(), "in/broken.png").orElseThrow().path("ok").asBoolean());
      assertTrue(aws.result(bucket.name(), throttled).isEmpty());
      assertEquals(List.of(), aws.drain(bucket).stream().map(S3Fixture::keyOf).toList(),
          "everything else was deleted (results' own notifications included)");
    }
  }
}
