package org.maclip.function.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;
import org.maclip.function.event.LambdaEvent.EventRecord;

/**
 * Turns a Lambda event into deliveries: one per SQS message, one per direct S3 record. Keeps
 * only {@code ObjectCreated:*} records; decodes keys; ignores S3's test events.
 */
public final class EventParser {
  private static final Logger LOG = Logger.getLogger(EventParser.class);
  static final String S3_SOURCE = "aws:s3";
  static final String SQS_SOURCE = "aws:sqs";

  private final ObjectMapper mapper;

  public EventParser(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  public List<Delivery> parse(LambdaEvent event) {
    List<Delivery> deliveries = new ArrayList<>();
    for (EventRecord record : event.records()) {
      String source = String.valueOf(record.eventSource());
      if (SQS_SOURCE.equals(source)) {
        deliveries.add(fromMessage(record));
      } else if (S3_SOURCE.equals(source)) {
        deliveries.add(objectsOf(null, List.of(record)));
      } else {
        LOG.warnf("Ignoring a record whose event source is %s (expected %s or %s)",
            source, S3_SOURCE, SQS_SOURCE);
      }
    }
    return deliveries;
  }

  private Delivery fromMessage(EventRecord message) {
    String id = message.messageId();
    if (message.body() == null) {
      return Delivery.unreadable(id, "SQS message has no body");
    }
    try {
      JsonNode body = mapper.readTree(message.body());
      if (isSnsEnvelope(body)) {
        body = mapper.readTree(body.get("Message").asText());
      }
      if ("s3:TestEvent".equals(body.path("Event").asText())) {
        return Delivery.of(id, List.of());
      }
      if (!body.path("Records").isArray()) {
        return Delivery.unreadable(id, "SQS message body is not an S3 event notification");
      }
      return objectsOf(id, mapper.treeToValue(body, LambdaEvent.class).records());
    } catch (JsonProcessingException e) {
      return Delivery.unreadable(id, "SQS message body is not JSON: " + e.getOriginalMessage());
    }
  }

  /** S3 → SNS → SQS without raw delivery wraps the notification in an SNS envelope. */
  private static boolean isSnsEnvelope(JsonNode body) {
    return "Notification".equals(body.path("Type").asText()) && body.path("Message").isTextual();
  }

  private static Delivery objectsOf(String messageId, List<EventRecord> records) {
    List<ObjectRef> objects = new ArrayList<>();
    for (EventRecord record : records) {
      String name = String.valueOf(record.eventName());
      if (!S3_SOURCE.equals(record.eventSource()) || !name.startsWith("ObjectCreated:")) {
        LOG.debugf("Ignoring %s event %s", record.eventSource(), name);
        continue;
      }
      LambdaEvent.S3Entity s3 = record.s3();
      if (s3 == null || s3.bucket() == null || s3.object() == null || s3.object().key() == null) {
        return Delivery.unreadable(messageId, "S3 record without bucket or object key");
      }
      String key;
      try {
        key = decodeKey(s3.object().key());
      } catch (IllegalArgumentException e) {
        return Delivery.unreadable(
            messageId, "object key '" + s3.object().key() + "' is not URL-encoded: " + e.getMessage());
      }
      objects.add(new ObjectRef(s3.bucket().name(), key, s3.object().versionId(), s3.object().eTag()));
    }
    return Delivery.of(messageId, objects);
  }

  /** S3 notifications URL-encode keys as HTML forms do: {@code +} is a space, {@code %xx} a byte. */
  public static String decodeKey(String encoded) {
    return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
  }
}
