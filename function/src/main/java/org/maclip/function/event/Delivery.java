package org.maclip.function.event;

import java.util.List;

/**
 * The unit that succeeds or fails as a whole: one SQS message, or one record of a direct S3
 * invocation ({@code messageId} null).
 *
 * @param messageId the SQS message id, reported back when the delivery fails; null when direct
 * @param objects the created objects it names (none for test events and other event types)
 * @param error why the message could not be read, or null
 */
public record Delivery(String messageId, List<ObjectRef> objects, String error) {

  public Delivery {
    objects = List.copyOf(objects);
  }

  static Delivery of(String messageId, List<ObjectRef> objects) {
    return new Delivery(messageId, objects, null);
  }

  static Delivery unreadable(String messageId, String error) {
    return new Delivery(messageId, List.of(), error);
  }

  /** True for a message of an SQS batch, whose failure is reported per message. */
  public boolean fromQueue() {
    return messageId != null;
  }
}
