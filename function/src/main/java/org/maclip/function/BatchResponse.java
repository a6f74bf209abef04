package org.maclip.function;

import java.util.List;

/**
 * Lambda's partial batch response for SQS: the ids of the messages to deliver again. Lambda
 * deletes every other message of the batch.
 */
public record BatchResponse(List<ItemFailure> batchItemFailures) {

  public BatchResponse {
    batchItemFailures = List.copyOf(batchItemFailures);
  }

  public record ItemFailure(String itemIdentifier) {}

  public static BatchResponse failing(List<String> messageIds) {
    return new BatchResponse(messageIds.stream().map(ItemFailure::new).toList());
  }
}
