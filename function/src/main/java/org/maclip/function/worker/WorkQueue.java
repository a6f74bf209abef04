package org.maclip.function.worker;

import java.util.List;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/** The worker's SQS calls on its one queue: receive a batch, delete, change visibility. */
final class WorkQueue {
  private static final Logger LOG = Logger.getLogger(WorkQueue.class);

  private final SqsClient sqs;
  private final String queueUrl;
  private final int batchSize;
  private final int waitSeconds;
  private final int visibilityTimeout;

  WorkQueue(SqsClient sqs, WorkerSettings settings) {
    this.sqs = sqs;
    this.queueUrl = settings.queueUrl();
    this.batchSize = settings.batchSize();
    this.waitSeconds = settings.waitSeconds();
    this.visibilityTimeout = settings.visibilityTimeout();
  }

  /** Up to a batch of messages, hidden for the visibility timeout; SQS errors are thrown. */
  List<Message> receive() {
    return sqs.receiveMessage(b -> b.queueUrl(queueUrl)
            .maxNumberOfMessages(batchSize)
            .waitTimeSeconds(waitSeconds)
            .visibilityTimeout(visibilityTimeout)
            .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
        .messages();
  }

  /** Deletes messages that were dealt with; a failure is logged (they will come back). */
  void delete(List<Message> done) {
    if (done.isEmpty()) {
      return;
    }
    try {
      List<BatchResultErrorEntry> refused = sqs.deleteMessageBatch(b -> b
          .queueUrl(queueUrl)
          .entries(done.stream().map(m -> DeleteMessageBatchRequestEntry.builder()
              .id(m.messageId()).receiptHandle(m.receiptHandle()).build()).toList()))
          .failed();
      refused.forEach(e -> LOG.warnf("Message %s was scored but could not be deleted (%s); it"
          + " will be scored again, overwriting its result", e.id(), e.message()));
    } catch (SdkException e) {
      LOG.warnf("%d scored message(s) could not be deleted (%s); they will be scored again,"
          + " overwriting their results", done.size(), e.getMessage());
    }
  }

  /** Sets messages' visibility timeout (renewal, or 0 to hand them back); failures logged. */
  void changeVisibility(List<Message> messages, int seconds) {
    try {
      List<BatchResultErrorEntry> refused = sqs.changeMessageVisibilityBatch(b -> b
          .queueUrl(queueUrl)
          .entries(messages.stream().map(m -> ChangeMessageVisibilityBatchRequestEntry.builder()
              .id(m.messageId()).receiptHandle(m.receiptHandle()).visibilityTimeout(seconds)
              .build()).toList()))
          .failed();
      refused.forEach(e -> LOG.warnf("Cannot set message %s's visibility to %d s: %s", e.id(),
          seconds, e.message()));
    } catch (SdkException e) {
      LOG.warnf("Cannot set the visibility of %d message(s) to %d s: %s", messages.size(),
          seconds, e.getMessage());
    }
  }
}
