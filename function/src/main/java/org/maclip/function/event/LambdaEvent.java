package org.maclip.function.event;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The function's input as Lambda delivers it: S3 event notifications ({@code eventSource}
 * {@code aws:s3}) sent directly, or SQS messages ({@code aws:sqs}) whose bodies are S3 event
 * notifications. An S3 notification body has the same shape, so one type reads both.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LambdaEvent(@JsonProperty("Records") List<EventRecord> records) {

  public LambdaEvent {
    records = records == null ? List.of() : List.copyOf(records);
  }

  /** One record: an S3 notification record or an SQS message; fields of the other kind are null. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record EventRecord(
      @JsonProperty("eventSource") String eventSource,
      @JsonProperty("eventName") String eventName,
      @JsonProperty("s3") S3Entity s3,
      @JsonProperty("messageId") String messageId,
      @JsonProperty("body") String body) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record S3Entity(
      @JsonProperty("bucket") Bucket bucket, @JsonProperty("object") S3Object object) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Bucket(@JsonProperty("name") String name) {}

  /** The object as the notification names it; {@code key} is URL-encoded ({@code +} is a space). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record S3Object(
      @JsonProperty("key") String key,
      @JsonProperty("size") Long size,
      @JsonProperty("eTag") String eTag,
      @JsonProperty("versionId") String versionId) {}
}
