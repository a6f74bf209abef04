package org.maclip.function.worker;

import java.time.Duration;

/**
 * The worker's settings, checked: every error names the property (and its environment variable)
 * that must change.
 *
 * @param queueUrl the queue to take work from
 * @param batchSize messages per receive
 * @param concurrency batches in progress at once
 * @param waitSeconds long-poll wait of a receive
 * @param visibilityTimeout how long received messages stay hidden, renewed while they are worked on
 * @param batchDeadlineSeconds how long a batch's visibility is renewed at most: a batch that runs
 *     longer (hung) has its messages returned to the queue
 */
public record WorkerSettings(String queueUrl, int batchSize, int concurrency, int waitSeconds,
    int visibilityTimeout, int batchDeadlineSeconds) {

  /** SQS's longest visibility timeout: 12 hours. */
  static final int MAX_VISIBILITY_SECONDS = 43_200;

  public WorkerSettings {
    if (queueUrl == null || queueUrl.isBlank()) {
      throw invalid("queue-url", "is not set: it names the SQS queue that receives the bucket's"
          + " S3 notifications (the scoring stack's QueueUrl output)");
    }
    check("batch-size", batchSize, 1, 10);
    check("concurrency", concurrency, 1, 64);
    check("wait-seconds", waitSeconds, 0, 20);
    check("visibility-timeout", visibilityTimeout, 3, MAX_VISIBILITY_SECONDS);
    check("batch-deadline", batchDeadlineSeconds, 1, MAX_VISIBILITY_SECONDS);
  }

  public static WorkerSettings of(WorkerConfig config) {
    return new WorkerSettings(config.queueUrl().orElse(null), config.batchSize(),
        config.concurrency(), config.waitSeconds(), config.visibilityTimeout(),
        config.batchDeadline());
  }

  /** How long a batch's visibility is renewed at most. */
  public Duration batchDeadline() {
    return Duration.ofSeconds(batchDeadlineSeconds);
  }

  /** How often the visibility of a running batch's messages is renewed: a third of it. */
  public Duration heartbeat() {
    return Duration.ofMillis(visibilityTimeout * 1000L / 3);
  }

  private static void check(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw invalid(name, "is " + value + "; it must be between " + min + " and " + max);
    }
  }

  private static IllegalArgumentException invalid(String name, String problem) {
    String property = "maclip.worker." + name;
    String env = property.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    return new IllegalArgumentException(property + " (" + env + ") " + problem);
  }
}
