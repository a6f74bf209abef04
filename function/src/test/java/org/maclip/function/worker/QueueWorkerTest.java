package org.maclip.function.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.maclip.function.BatchResponse;
import org.maclip.function.event.LambdaEvent;
import org.maclip.function.testing.MotoServer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The worker's queue contract against moto's SQS, with stand-in handlers (ScoringService's side
 * is {@code QueueWorkerScoringTest}): what is deleted, what is left, the visibility heartbeat,
 * and the stop.
 */
class QueueWorkerTest {
  private static MotoServer moto;
  private static SqsClient sqs;
  private static final AtomicInteger QUEUES = new AtomicInteger();

  @BeforeAll
  static void startMoto() throws Exception {
    Optional<MotoServer> started = MotoServer.start();
    assumeTrue(started.isPresent(), MotoServer.absentMessage());
    moto = started.get();
    sqs = SqsClient.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
        .httpClient(UrlConnectionHttpClient.create()).build();
  }

  @AfterAll
  static void stopMoto() throws InterruptedException {
    if (sqs != null) {
      sqs.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  @Test
  void deletesWhatWasDoneAndLeavesWhatFailedForTheRedrive() throws Exception {
    String dlq = sqs.createQueue(b -> b.queueName("dead-" + QUEUES.incrementAndGet())).queueUrl();
    String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlq)
            .attributeNames(QueueAttributeName.QUEUE_ARN))
        .attributes().get(QueueAttributeName.QUEUE_ARN);
    String queue = sqs.createQueue(b -> b.queueName("work-" + QUEUES.incrementAndGet())
        .attributes(java.util.Map.of(QueueAttributeName.REDRIVE_POLICY,
            "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"2\"}"))).queueUrl();
    for (String body : List.of("good-1", "fails", "good-2")) {
      sqs.sendMessage(b -> b.queueUrl(queue).messageBody(body));
    }
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    QueueWorker worker = new QueueWorker(sqs, settings(queue, 3), event -> {
      event.records().forEach(r -> seen.add(r.body()));
      return BatchResponse.failing(event.records().stream()
          .filter(r -> r.body().equals("fails")).map(LambdaEvent.EventRecord::messageId).toList());
    });

    Thread running = start(worker);
    // Received once, failed, visible again after 3 s, received and failed again, then moved to
    // the dead-letter queue by the queue itself (maxReceiveCount 2).
    List<Message> dead = awaitMessages(dlq, Duration.ofSeconds(30));
    worker.stop();
    running.join(30_000);

    assertEquals(List.of("fails"), dead.stream().map(Message::body).toList());
    assertEquals(2, seen.stream().filter("fails"::equals).count(), "retried once: " + seen);
    assertEquals(1, seen.stream().filter("good-1"::equals).count(), "deleted once done: " + seen);
    assertEquals(1, seen.stream().filter("good-2"::equals).count(), "deleted once done: " + seen);
    assertEquals(0, depth(queue));
  }

  @Test
  void aHandlerThatThrowsLeavesTheWholeBatch() throws Exception {
    String queue = newQueue();
    sqs.sendMessage(b -> b.queueUrl(queue).messageBody("a"));
    AtomicInteger calls = new AtomicInteger();
    QueueWorker worker = new QueueWorker(sqs, settings(queue, 30), event -> {
      calls.incrementAndGet();
      throw new IllegalStateException("boom");
    });
    Thread running = start(worker);
    awaitTrue(() -> calls.get() == 1);
    worker.stop();
    running.join(30_000);

    assertEquals(1, depth(queue), "the message is still on the queue (in flight until 30 s)");
  }

  @Test
  void aBatchLongerThanTheVisibilityTimeoutIsNotDeliveredTwice() throws Exception {
    String queue = newQueue();
    sqs.sendMessage(b -> b.queueUrl(queue).messageBody("slow"));
    CountDownLatch started = new CountDownLatch(1);
    QueueWorker worker = new QueueWorker(sqs, settings(queue, 3), event -> {
      started.countDown();
      sleep(Duration.ofSeconds(8)); // well past the 3 s visibility: renewed every second
      return BatchResponse.failing(List.of());
    });
    Thread running = start(worker);
    assertTrue(started.await(30, TimeUnit.SECONDS));

    // Another consumer polls all the while the batch runs: it must never see the message.
    long until = System.nanoTime() + Duration.ofSeconds(6).toNanos();
    while (System.nanoTime() < until) {
      List<Message> stolen = sqs.receiveMessage(b -> b.queueUrl(queue).waitTimeSeconds(1)
          .visibilityTimeout(0)).messages();
      assertEquals(List.of(), stolen.stream().map(Message::body).toList());
    }
    worker.stop();
    running.join(30_000);
    assertEquals(0, depth(queue), "done and deleted");
  }

  @Test
  void stopFinishesTheBatchInProgressAndTakesNoMore() throws Exception {
    String queue = newQueue();
    sqs.sendMessage(b -> b.queueUrl(queue).messageBody("first"));
    CountDownLatch inBatch = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> handled = Collections.synchronizedList(new ArrayList<>());
    QueueWorker worker = new QueueWorker(sqs, settings(queue, 30), event -> {
      inBatch.countDown();
      await(release);
      event.records().forEach(r -> handled.add(r.body()));
      return BatchResponse.failing(List.of());
    });
    Thread running = start(worker);
    assertTrue(inBatch.await(30, TimeUnit.SECONDS));

    worker.stop();
    sqs.sendMessage(b -> b.queueUrl(queue).messageBody("after the stop"));
    release.countDown();
    assertTrue(worker.awaitFinished(Duration.ofSeconds(30)), "the worker ends once its batch is");
    running.join(5_000);

    assertFalse(running.isAlive());
    assertEquals(List.of("first"), handled);
    List<Message> left = sqs.receiveMessage(b -> b.queueUrl(queue).waitTimeSeconds(1)
        .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
        .messages();
    assertEquals(List.of("after the stop"), left.stream().map(Message::body).toList(),
        "the first was deleted; the second was never taken (or handed back at once)");
  }

  /**
   * A handler that hangs: past the batch's deadline (4 s) its visibility (3 s) is no longer
   * renewed, so another consumer gets the message, as the redrive would count it.
   */
  @Test
  void aHungBatchsMessagesReturnToTheQueueAfterItsDeadline() throws Exception {
    String queue = newQueue();
    sqs.sendMessage(b -> b.queueUrl(queue).messageBody("hangs"));
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    QueueWorker worker = new QueueWorker(sqs, new WorkerSettings(queue, 10, 1, 1, 3, 4),
        event -> {
          started.countDown();
          await(release);
          return BatchResponse.failing(List.of());
        });
    Thread running = start(worker);
    try {
      assertTrue(started.await(30, TimeUnit.SECONDS));
      long start = System.nanoTime();
      List<Message> back = awaitMessages(queue, Duration.ofSeconds(30));
      long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
      assertEquals(List.of("hangs"), back.stream().map(Message::body).toList());
      assertTrue(seconds >= 3, "not before the deadline: " + seconds + " s");
    } finally {
      release.countDown();
      worker.stop();
      running.join(30_000);
    }
  }

  /** An Error (not an image's failure) ends the worker, reported, and the other thread too. */
  @Test
  void anErrorInAThreadStopsTheWorkerAndIsReported() throws Exception {
    String queue = newQueue();
    sqs.sendMessage(b -> b.queueUrl(queue).messageBody("a"));
    QueueWorker worker = new QueueWorker(sqs, new WorkerSettings(queue, 10, 2, 1, 30, 900),
        event -> {
          throw new StackOverflowError("deep");
        });
    Thread running = start(worker);
    assertTrue(worker.awaitFinished(Duration.ofSeconds(30)), "the worker stops");
    running.join(5_000);
    assertTrue(worker.failed() instanceof StackOverflowError, String.valueOf(worker.failed()));
    assertEquals(1, depth(queue), "the message is left for the next worker");
  }

  @Test
  void settingsErrorsNameTheProperty() {
    IllegalArgumentException missing = assertThrows(
        IllegalArgumentException.class, () -> new WorkerSettings(null, 10, 1, 20, 60, 900));
    assertTrue(missing.getMessage().startsWith(
        "maclip.worker.queue-url (MACLIP_WORKER_QUEUE_URL) is not set"), missing.getMessage());
    IllegalArgumentException batch = assertThrows(
        IllegalArgumentException.class, () -> new WorkerSettings("q", 11, 1, 20, 60, 900));
    assertEquals("maclip.worker.batch-size (MACLIP_WORKER_BATCH_SIZE) is 11; it must be between"
        + " 1 and 10", batch.getMessage());
    IllegalArgumentException wait = assertThrows(
        IllegalArgumentException.class, () -> new WorkerSettings("q", 10, 1, 21, 60, 900));
    assertTrue(wait.getMessage().startsWith(
        "maclip.worker.wait-seconds (MACLIP_WORKER_WAIT_SECONDS)"), wait.getMessage());
    assertEquals(Duration.ofSeconds(20), new WorkerSettings("q", 10, 1, 20, 60, 900).heartbeat());
    IllegalArgumentException deadline = assertThrows(
        IllegalArgumentException.class, () -> new WorkerSettings("q", 10, 1, 20, 60, 0));
    assertTrue(deadline.getMessage().startsWith(
        "maclip.worker.batch-deadline (MACLIP_WORKER_BATCH_DEADLINE) is 0"), deadline.getMessage());
  }

  private static WorkerSettings settings(String queue, int visibilitySeconds) {
    return new WorkerSettings(queue, 10, 1, 1, visibilitySeconds, 900);
  }

  private static String newQueue() {
    return sqs.createQueue(b -> b.queueName("work-" + QUEUES.incrementAndGet())).queueUrl();
  }

  private static Thread start(QueueWorker worker) {
    Thread t = new Thread(worker, "test-worker");
    t.start();
    return t;
  }

  /** Messages visible plus in flight. */
  private static int depth(String queue) {
    var attributes = sqs.getQueueAttributes(b -> b.queueUrl(queue).attributeNames(
        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
    return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
        + Integer.parseInt(
            attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
  }

  private static List<Message> awaitMessages(String queue, Duration timeout) {
    long until = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < until) {
      List<Message> got = sqs.receiveMessage(b -> b.queueUrl(queue).waitTimeSeconds(1)).messages();
      if (!got.isEmpty()) {
        return got;
      }
    }
    throw new AssertionError("nothing arrived on " + queue + " within " + timeout);
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition) {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("condition not met within 30 s");
      }
      sleep(Duration.ofMillis(50));
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

}
