package org.maclip.function.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maclip.function.testing.MotoServer;
import org.maclip.function.testing.TestImages;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Two large images at once on the worker's two threads under a small heap that exits on an
 * OutOfMemoryError (as infra/gpu/Dockerfile runs the worker), against moto's SQS: the worker
 * lives, each image is scored or refused with the memory budget's message, and both messages
 * are deleted (none lost). Before the memory was reserved across threads, both passed a check
 * of the same free heap and the JVM exited with status 3, leaving both messages in flight.
 */
class QueueWorkerMemoryTest {
  private static final Path TINY = Path.of("../maclip-scoring/src/test/resources/golden/tinyrn");

  @TempDir Path dir;

  @Test
  void twoLargeImagesOnTwoThreadsNeverKillTheWorker() throws Exception {
    Optional<MotoServer> started = MotoServer.start();
    assumeTrue(started.isPresent(), MotoServer.absentMessage());
    try (MotoServer moto = started.get();
        SqsClient sqs = SqsClient.builder().endpointOverride(moto.endpoint())
            .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create()).build()) {
      String queue = sqs.createQueue(b -> b.queueName("large-images")).queueUrl();
      for (int i = 0; i < 2; i++) {
        Path image = Files.write(dir.resolve("large-" + i + ".png"),
            TestImages.png(6000, 4000, i + 1));
        sqs.sendMessage(b -> b.queueUrl(queue).messageBody(image.toString()));
      }
      Process child = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx200m",
          "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
          "-Daws.accessKeyId=testing", "-Daws.secretAccessKey=testing",
          "-cp", System.getProperty("java.class.path"), LargeImagesWorker.class.getName(),
          moto.endpoint().toString(), queue, TINY.toString(), "2")
          .redirectErrorStream(true).start();
      String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(child.waitFor(5, TimeUnit.MINUTES), out);
      assertEquals(0, child.exitValue(), out);
      List<String> lines = out.lines().filter(l -> l.startsWith("image ")).toList();
      assertEquals(2, lines.size(), out);
      for (String line : lines) {
        assertTrue(line.equals("image scored") || line.matches("image failed: 6000x4000 needs"
            + " \\d+ MB to decode and prepare, the JVM heap has \\d+ MB free; .*"), line);
      }
      var depth = sqs.getQueueAttributes(b -> b.queueUrl(queue).attributeNames(
          QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
          QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
      assertEquals("0", depth.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES), out);
      assertEquals("0", depth.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE),
          "both messages settled and deleted: " + out);
    }
  }
}
