package org.maclip.function.worker;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.maclip.function.BatchResponse;
import org.maclip.scoring.ImageInput;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.Scorer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A queue worker in a JVM of its own ({@link QueueWorkerMemoryTest}): two threads, one scorer
 * under the heap's budget, each message the path of an image file; prints each image's outcome
 * and stops once it has settled {@code count} messages. Arguments: the SQS endpoint, the queue,
 * the bundle, the count.
 */
public final class LargeImagesWorker {
  private LargeImagesWorker() {}

  public static void main(String[] args) throws Exception {
    int count = Integer.parseInt(args[3]);
    CountDownLatch settled = new CountDownLatch(count);
    try (SqsClient sqs = SqsClient.builder().endpointOverride(URI.create(args[0]))
            .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create()).build();
        Scorer scorer = Scorer.open(Path.of(args[2]))) {
      QueueWorker worker = new QueueWorker(sqs, new WorkerSettings(args[1], 1, 2, 1, 60, 900),
          event -> {
            for (var message : event.records()) {
              ScoreResult r;
              try {
                r = scorer.score(ImageInput.of(message.body(),
                    Files.readAllBytes(Path.of(message.body()))));
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
              System.out.println("image " + (r.ok() ? "scored" : "failed: " + r.error()));
              settled.countDown();
            }
            return BatchResponse.failing(java.util.List.of());
          });
      Thread running = new Thread(worker, "worker");
      running.start();
      settled.await();
      worker.stop();
      worker.awaitFinished(Duration.ofMinutes(2));
    }
  }
}
