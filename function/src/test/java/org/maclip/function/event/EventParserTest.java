package org.maclip.function.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventParserTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectRef CAFE = new ObjectRef("photo-bucket",
      "incoming/2026/holiday photos/café + sea!.jpg", "096fKKXTRTtl3on89fVO.nfljtsv6qko",
      "d41d8cd98f00b204e9800998ecf8427e");

  private final EventParser parser = new EventParser(JSON);

  private static LambdaEvent event(String resource) throws IOException {
    try (InputStream in = EventParserTest.class.getResourceAsStream("/events/" + resource)) {
      return JSON.readValue(in, LambdaEvent.class);
    }
  }

  @Test
  void directS3EventGivesOneDeliveryPerRecordAndKeepsOnlyCreations() throws IOException {
    List<Delivery> deliveries = parser.parse(event("s3-put.json"));

    assertEquals(2, deliveries.size());
    assertEquals(new Delivery(null, List.of(CAFE), null), deliveries.get(0));
    assertEquals(List.of(), deliveries.get(1).objects(), "ObjectRemoved is not scored");
  }

  @Test
  void sqsEventGivesOneDeliveryPerMessage() throws IOException {
    List<Delivery> deliveries = parser.parse(event("sqs-s3.json"));

    assertEquals(4, deliveries.size());
    Delivery test = deliveries.get(0);
    assertEquals("059f36b4-87a3-44ab-83d2-661975830a7d", test.messageId());
    assertEquals(List.of(), test.objects(), "S3's test event names no object");
    assertNull(test.error());
    assertEquals(List.of(CAFE), deliveries.get(1).objects());
    assertEquals(List.of(CAFE), deliveries.get(2).objects(), "through SNS, unwrapped");
    Delivery bad = deliveries.get(3);
    assertEquals("c80e8021-a70a-42c7-a470-796e1186f753", bad.messageId());
    assertTrue(bad.error().startsWith("SQS message body is not JSON"), bad.error());
  }

  @Test
  void keysAreDecodedAsS3EncodesThem() {
    assertEquals("a b+c", EventParser.decodeKey("a+b%2Bc"));
    assertEquals("猫/ünï code.png", EventParser.decodeKey("%E7%8C%AB/%C3%BCn%C3%AF+code.png"));
    assertEquals("deep/x/y/z/w.png", EventParser.decodeKey("deep/x/y/z/w.png"));
    assertThrows(IllegalArgumentException.class, () -> EventParser.decodeKey("bad%zzkey"));
  }

  @Test
  void aMalformedKeyOrARecordWithoutObjectMakesTheMessageUnreadable() throws IOException {
    String body = "{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
        + "\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"bad%zz.png\"}}}]}";
    String noObject = "{\"Records\":[{\"eventSource\":\"aws:s3\","
        + "\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"}}}]}";
    String notS3 = "{\"hello\": 1}";
    LambdaEvent event = new LambdaEvent(List.of(message("m1", body), message("m2", noObject),
        message("m3", notS3), message("m4", null)));

    List<Delivery> deliveries = parser.parse(event);

    assertTrue(deliveries.get(0).error().contains("bad%zz.png"), deliveries.get(0).error());
    assertTrue(deliveries.get(1).error().contains("without bucket or object key"));
    assertTrue(deliveries.get(2).error().contains("not an S3 event notification"));
    assertTrue(deliveries.get(3).error().contains("no body"));
    deliveries.forEach(d -> assertEquals(List.of(), d.objects()));
  }

  @Test
  void recordsOfOtherSourcesAndEmptyEventsAreIgnored() throws IOException {
    LambdaEvent other = JSON.readValue(
        "{\"Records\":[{\"eventSource\":\"aws:dynamodb\",\"eventName\":\"INSERT\"}]}",
        LambdaEvent.class);
    assertEquals(List.of(), parser.parse(other));
    assertEquals(List.of(), parser.parse(JSON.readValue("{}", LambdaEvent.class)));
  }

  private static LambdaEvent.EventRecord message(String id, String body) {
    return new LambdaEvent.EventRecord("aws:sqs", null, null, id, body);
  }
}
