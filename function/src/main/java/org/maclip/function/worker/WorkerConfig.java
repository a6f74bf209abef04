package org.maclip.function.worker;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.util.Optional;

/**
 * The queue worker's settings ({@code maclip.worker.*}; each one also an environment variable,
 * {@code maclip.worker.queue-url} → {@code MACLIP_WORKER_QUEUE_URL}). The Lambda handler never
 * reads them: on Lambda the event source mapping polls the queue.
 */
@ConfigMapping(prefix = "maclip.worker")
public interface WorkerConfig {

  /** The SQS queue that receives the bucket's S3 notifications. */
  Optional<String> queueUrl();

  /** Messages per receive (1 to 10, SQS's limit); one batch is scored in one run. */
  @WithDefault("10")
  int batchSize();

  /** Batches in progress at once, on threads sharing one ONNX Runtime session. */
  @WithDefault("1")
  int concurrency();

  /** Long-poll wait of each receive, in seconds (0 to 20). */
  @WithDefault("20")
  int waitSeconds();

  /**
   * How long a received message stays invisible to other consumers, in seconds; renewed every
   * third of it while its batch runs, so a batch may take longer, and a worker that dies hands
   * its messages back within this time.
   */
  @WithDefault("60")
  int visibilityTimeout();

  /**
   * How long a batch's visibility is renewed at most, in seconds (Lambda's own limit, 15
   * minutes, by default): the messages of a batch that hangs past it return to the queue and,
   * after its {@code maxReceiveCount}, reach the dead-letter queue.
   */
  @WithDefault("900")
  int batchDeadline();

  /** A local SQS server (moto); by default the SDK's endpoint for the region. */
  Optional<URI> endpointOverride();

  /** Region; by default the SDK's chain ({@code AWS_REGION}). */
  Optional<String> region();
}
