package org.maclip.function.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Event;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The tests' side of the local AWS: buckets whose object-created notifications go to a queue
 * (as in the recommended S3 → SQS → Lambda deployment), uploads, the notifications S3 sent, and
 * the Lambda event envelopes those notifications arrive in.
 */
public final class S3Fixture implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  public final S3Client s3;
  public final SqsClient sqs;
  public final EventBridgeClient events;

  /** A bucket and the queue its notifications go to. */
  public record Bucket(String name, String queueUrl, String queueArn) {}

  public S3Fixture(URI endpoint) {
    this.s3 = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .forcePathStyle(true).httpClient(UrlConnectionHttpClient.create()).build();
    this.sqs = SqsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .httpClient(UrlConnectionHttpClient.create()).build();
    this.events = EventBridgeClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .httpClient(UrlConnectionHttpClient.create()).build();
  }

  /**
   * A queue that receives the function's EventBridge events about this bucket's objects, as a
   * user would route them: a rule on the default bus matching maclip's source and the bucket.
   */
  public String announcements(Bucket bucket) {
    String queueUrl = sqs.createQueue(b -> b.queueName(bucket.name() + "-announced")).queueUrl();
    String queueArn = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
            .attributeNames(QueueAttributeName.QUEUE_ARN))
        .attributes().get(QueueAttributeName.QUEUE_ARN);
    String rule = bucket.name() + "-rule";
    events.putRule(b -> b.name(rule).eventPattern("{\"source\": [\"org.maclip\"],"
        + " \"detail\": {\"bucket\": [\"" + bucket.name() + "\"]}}"));
    events.putTargets(b -> b.rule(rule).targets(t -> t.id("queue").arn(queueArn)));
    return queueUrl;
  }

  /** The events waiting in an {@link #announcements} queue, parsed, removed from it. */
  public List<JsonNode> announced(String queueUrl) {
    return drain(queueUrl).stream().map(m -> readTree(m.body())).toList();
  }

  public Bucket bucketWithQueue(String name) {
    s3.createBucket(b -> b.bucket(name));
    String queueUrl = sqs.createQueue(b -> b.queueName(name + "-events")).queueUrl();
    String queueArn = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
            .attributeNames(QueueAttributeName.QUEUE_ARN))
        .attributes().get(QueueAttributeName.QUEUE_ARN);
    s3.putBucketNotificationConfiguration(b -> b.bucket(name).notificationConfiguration(
        n -> n.queueConfigurations(q -> q.queueArn(queueArn).events(Event.S3_OBJECT_CREATED))));
    return new Bucket(name, queueUrl, queueArn);
  }

  public String put(String bucket, String key, byte[] bytes) {
    return s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes)).eTag();
  }

  /** Every message waiting in the queue (S3's notifications so far), removed from it. */
  public List<Message> drain(Bucket bucket) {
    return drain(bucket.queueUrl());
  }

  private List<Message> drain(String queueUrl) {
    List<Message> all = new ArrayList<>();
    while (true) {
      List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(queueUrl)
          .maxNumberOfMessages(10).waitTimeSeconds(0)).messages();
      if (batch.isEmpty()) {
        return all;
      }
      for (Message m : batch) {
        sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
      }
      all.addAll(batch);
    }
  }

  /** The message notifying the creation of {@code key}. */
  public static Message messageFor(List<Message> messages, String key) {
    return messages.stream().filter(m -> key.equals(keyOf(m))).findFirst()
        .orElseThrow(() -> new AssertionError("no notification for " + key + " among "
            + messages.stream().map(S3Fixture::keyOf).toList()));
  }

  /** The decoded object key a notification names, or null for S3's test event. */
  public static String keyOf(Message message) {
    JsonNode records = readTree(message.body()).path("Records");
    if (!records.isArray() || records.isEmpty()) {
      return null;
    }
    String encoded = records.get(0).path("s3").path("object").path("key").asText();
    return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
  }

  /** The event Lambda's SQS event source mapping sends for these messages. */
  public static String sqsEvent(Bucket bucket, List<Message> messages) {
    ObjectNode event = JSON.createObjectNode();
    ArrayNode records = event.putArray("Records");
    for (Message m : messages) {
      ObjectNode r = records.addObject();
      r.put("messageId", m.messageId());
      r.put("receiptHandle", m.receiptHandle());
      r.put("body", m.body());
      ObjectNode attributes = r.putObject("attributes");
      attributes.put("ApproximateReceiveCount", "1");
      attributes.put("SentTimestamp", "1700000000000");
      attributes.put("SenderId", "AIDAIENQZJOLO23YVJ4VO");
      attributes.put("ApproximateFirstReceiveTimestamp", "1700000000001");
      r.putObject("messageAttributes");
      r.put("md5OfBody", m.md5OfBody());
      r.put("eventSource", "aws:sqs");
      r.put("eventSourceARN", bucket.queueArn());
      r.put("awsRegion", "us-east-1");
    }
    return event.toString();
  }

  /** The result document written for {@code key}, if any. */
  public Optional<JsonNode> result(String bucket, String key) {
    try {
      byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(bucket)
          .key("maclip-results/" + key + ".json")).asByteArray();
      return Optional.of(JSON.readTree(bytes));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<String> keys(String bucket, String prefix) {
    return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
        .map(S3Object::key).toList();
  }

  public Map<String, String> tags(String bucket, String key) {
    return s3.getObjectTagging(b -> b.bucket(bucket).key(key)).tagSet().stream()
        .collect(Collectors.toMap(Tag::key, Tag::value));
  }

  public static JsonNode readTree(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    s3.close();
    sqs.close();
    events.close();
  }
}
