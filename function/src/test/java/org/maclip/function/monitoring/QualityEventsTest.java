package org.maclip.function.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.maclip.function.Provenance;
import org.maclip.function.event.ObjectRef;
import org.maclip.scoring.FusionParams;
import org.maclip.scoring.ScoreResult;

class QualityEventsTest {
  private static final ObjectRef REF = new ObjectRef("photos", "a b.png", "v7", "etag");
  private static final Provenance MODEL = new Provenance("RN50", "openai", "cafe", "maclip",
      new FusionParams(0.5, 1, 1, 0.6), "fn", "0.1.0", "3");

  private static ScoreResult scored(double q) {
    return new ScoreResult("x", q, 0.2, 1.1, 0.3, 0.7, List.of(), 10, 10, 224, 224, List.of(),
        null);
  }

  @Test
  void theThresholdIsStrictAndAbsentWithoutOne() {
    QualityEvents events = new QualityEvents(null, "default", 0.5, false);
    assertEquals(Boolean.TRUE, events.lowQuality(scored(0.4999)));
    assertEquals(Boolean.FALSE, events.lowQuality(scored(0.5)));
    assertNull(events.lowQuality(ScoreResult.failed("x", "broken")));
    assertNull(new QualityEvents(null, "default", null, false).lowQuality(scored(0.1)));
  }

  @Test
  void neitherSettingBuildsNoClientAndSendsNothing() {
    QualityEvents events = QualityEvents.create(OptionalDouble.empty(), false, "default",
        Optional.of(URI.create("http://127.0.0.1:9")), Optional.of("us-east-1"));
    QualityEvents.Pending pending = events.pending();
    pending.scored(REF, scored(0.0), MODEL, "s3://photos/r.json");
    pending.failed(REF, FailureCause.UNREADABLE, "broken", MODEL, "s3://photos/r.json");
    assertEquals(new QualityEvents.Outcome(0, 0), pending.send());
  }

  @Test
  void aNonFiniteThresholdIsRefusedNamingTheSetting() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> QualityEvents.create(OptionalDouble.of(Double.NaN), false, "default",
            Optional.empty(), Optional.empty()));
    assertTrue(e.getMessage().startsWith("maclip.events.low-quality-below"
        + " (MACLIP_EVENTS_LOW_QUALITY_BELOW) is NaN"), e.getMessage());
  }

  @Test
  void eventsThatCannotBeSentAreCountedAsFailedNotThrown() {
    QualityEvents events = QualityEvents.create(OptionalDouble.of(0.5), true, "default",
        Optional.of(URI.create("http://127.0.0.1:9")), Optional.of("us-east-1"));
    QualityEvents.Pending pending = events.pending();
    for (int i = 0; i < 11; i++) {
      pending.scored(REF, scored(0.1), MODEL, "s3://photos/r.json");
    }
    pending.scored(REF, scored(0.9), MODEL, "s3://photos/r.json"); // not low: no event
    assertEquals(new QualityEvents.Outcome(0, 11), pending.send());
    events.close();
  }

  @Test
  void detailsNameTheObjectTheScoresOrCauseAndTheModel() {
    assertEquals("{\"bucket\":\"photos\",\"key\":\"a b.png\",\"version_id\":\"v7\","
        + "\"result\":\"s3://photos/r.json\",\"model\":{\"backbone\":\"RN50\",\"pretrained\":"
        + "\"openai\",\"sha256\":\"cafe\"},\"q\":0.25,\"q_sim\":0.2,\"q_mag\":1.1,"
        + "\"low_quality_below\":0.5}",
        QualityEvents.lowQualityDetail(REF, scored(0.25), 0.5, MODEL, "s3://photos/r.json")
            .toString());
    assertEquals("{\"bucket\":\"photos\",\"key\":\"a b.png\",\"version_id\":\"v7\","
        + "\"result\":\"s3://photos/r.json\",\"model\":{\"backbone\":\"RN50\",\"pretrained\":"
        + "\"openai\",\"sha256\":\"cafe\"},\"cause\":\"unreadable\",\"error\":\"broken\"}",
        QualityEvents.errorDetail(REF, FailureCause.UNREADABLE, "broken", MODEL,
            "s3://photos/r.json").toString());
  }
}
