package org.maclip.function.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.maclip.function.testing.MotoServer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The worker application's own start and stop, against moto's SQS. */
class QueueWorkerAppTest {
  /**
   * A SIGTERM (Quarkus' shutdown event) that comes while the application starts, before its
   * worker exists: the worker then takes no batch and the application ends, instead of working
   * on after the shutdown has passed it by. The message stays on the queue.
   */
  @Test
  void aShutdownBeforeTheWorkerExistsEndsItWithoutTakingWork() throws Exception {
    Optional<MotoServer> started = MotoServer.start();
    assumeTrue(started.isPresent(), MotoServer.absentMessage());
    try (MotoServer moto = started.get();
        SqsClient sqs = SqsClient.builder().endpointOverride(moto.endpoint())
            .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create()).build()) {
      String queue = sqs.createQueue(b -> b.queueName("early-stop")).queueUrl();
      sqs.sendMessage(b -> b.queueUrl(queue).messageBody("not for this worker"));
      QueueWorkerApp app = new QueueWorkerApp(config(queue, moto.endpoint()), null);
      app.onShutdown(null);
      int status = CompletableFuture.supplyAsync(() -> app.run()).get(60, TimeUnit.SECONDS);
      assertEquals(0, status);
      assertEquals(1, sqs.receiveMessage(b -> b.queueUrl(queue).waitTimeSeconds(1))
          .messages().size(), "the message was left on the queue");
    }
  }

  private static WorkerConfig config(String queue, URI endpoint) {
    return new WorkerConfig() {
      @Override
      public Optional<String> queueUrl() {
        return Optional.of(queue);
      }

      @Override
      public int batchSize() {
        return 10;
      }

      @Override
      public int concurrency() {
        return 1;
      }

      @Override
      public int waitSeconds() {
        return 1;
      }

      @Override
      public int visibilityTimeout() {
        return 30;
      }

      @Override
      public int batchDeadline() {
        return 900;
      }

      @Override
      public Optional<URI> endpointOverride() {
        return Optional.of(endpoint);
      }

      @Override
      public Optional<String> region() {
        return Optional.of("us-east-1");
      }
    };
  }
}
