package org.maclip.function.monitoring;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.jboss.logging.Logger;
import org.maclip.function.Provenance;
import org.maclip.function.event.ObjectRef;
import org.maclip.scoring.ScoreResult;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClientBuilder;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResultEntry;

/**
 * Announces images on EventBridge, so that users route them with a rule: an image scored under
 * {@code maclip.events.low-quality-below} ({@value #LOW_QUALITY}) and, with
 * {@code maclip.events.errors}, an image that got an error result ({@value #NOT_SCORED}). Source
 * {@value #SOURCE}; the detail names the object, the scores or the cause, and the model. Events
 * of one invocation go in PutEvents calls of ten; a failure is logged and counted (the batch's
 * {@code EventsFailed} metric), never retried: the result is written, and scoring it again would
 * not make the event more likely to pass. With neither setting there is no client.
 */
public final class QualityEvents implements AutoCloseable {
  public static final String SOURCE = "org.maclip";
  public static final String LOW_QUALITY = "Low-quality image";
  public static final String NOT_SCORED = "Image not scored";
  /** PutEvents takes at most ten entries a call. */
  static final int ENTRIES_PER_CALL = 10;

  private static final Logger LOG = Logger.getLogger(QualityEvents.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final EventBridgeClient client;
  private final String bus;
  private final Double lowQualityBelow;
  private final boolean errors;

  /**
   * @param client null when nothing is announced
   * @param lowQualityBelow the threshold, or null
   */
  QualityEvents(EventBridgeClient client, String bus, Double lowQualityBelow, boolean errors) {
    this.client = client;
    this.bus = bus;
    this.lowQualityBelow = lowQualityBelow;
    this.errors = errors;
  }

  /** The announcer the settings ask for; builds an EventBridge client only when one is needed. */
  public static QualityEvents create(OptionalDouble lowQualityBelow, boolean errors, String bus,
      Optional<URI> endpoint, Optional<String> region) {
    Double threshold = lowQualityBelow.isPresent() ? lowQualityBelow.getAsDouble() : null;
    if (threshold != null && !Double.isFinite(threshold)) {
      throw new IllegalArgumentException("maclip.events.low-quality-below"
          + " (MACLIP_EVENTS_LOW_QUALITY_BELOW) is " + threshold + "; it must be a finite number");
    }
    if (threshold == null && !errors) {
      return new QualityEvents(null, bus, null, false);
    }
    EventBridgeClientBuilder builder =
        EventBridgeClient.builder().httpClient(UrlConnectionHttpClient.create());
    endpoint.ifPresent(builder::endpointOverride);
    region.map(Region::of).ifPresent(builder::region);
    return new QualityEvents(builder.build(), bus, threshold, errors);
  }

  /** Whether a score is low quality: null when no threshold is set. */
  public Boolean lowQuality(ScoreResult result) {
    return lowQualityBelow == null || !result.ok() ? null : result.q() < lowQualityBelow;
  }

  /** A fresh collector for one invocation's events. */
  public Pending pending() {
    return new Pending();
  }

  /** What one invocation has to announce; {@link #send} sends it. */
  public final class Pending {
    private final List<PutEventsRequestEntry> entries = new ArrayList<>();

    /** Adds the low-quality event of a scored image under the threshold (else nothing). */
    public void scored(ObjectRef ref, ScoreResult result, Provenance model, String resultUri) {
      if (Boolean.TRUE.equals(lowQuality(result))) {
        add(LOW_QUALITY, lowQualityDetail(ref, result, lowQualityBelow, model, resultUri));
      }
    }

    /** Adds the event of an image that got an error result, when errors are announced. */
    public void failed(ObjectRef ref, FailureCause cause, String error, Provenance model,
        String resultUri) {
      if (errors) {
        add(NOT_SCORED, errorDetail(ref, cause, error, model, resultUri));
      }
    }

    private void add(String detailType, ObjectNode detail) {
      entries.add(PutEventsRequestEntry.builder().source(SOURCE).detailType(detailType)
          .eventBusName(bus).detail(detail.toString()).build());
    }

    /** Sends every event; (sent, failed). */
    public Outcome send() {
      int sent = 0;
      int failed = 0;
      for (int from = 0; from < entries.size(); from += ENTRIES_PER_CALL) {
        List<PutEventsRequestEntry> call =
            entries.subList(from, Math.min(entries.size(), from + ENTRIES_PER_CALL));
        try {
          PutEventsResponse response = client.putEvents(b -> b.entries(call));
          int refused = response.failedEntryCount() == null ? 0 : response.failedEntryCount();
          sent += call.size() - refused;
          failed += refused;
          if (refused > 0) {
            PutEventsResultEntry first = response.entries().stream()
                .filter(e -> e.errorCode() != null).findFirst().orElse(null);
            LOG.warnf("EventBridge refused %d of %d event(s) on bus %s: %s", refused,
                call.size(), bus, first == null ? "no reason given"
                    : first.errorCode() + " " + first.errorMessage());
          }
        } catch (SdkException e) {
          failed += call.size();
          LOG.warnf("%d event(s) could not be sent to EventBridge bus %s: %s", call.size(), bus,
              e.getMessage());
        }
      }
      return new Outcome(sent, failed);
    }
  }

  /** Events EventBridge accepted, and those it refused or never received. */
  public record Outcome(int sent, int failed) {}

  /** The detail of {@value #LOW_QUALITY}: the object, its scores, the threshold, the model. */
  static ObjectNode lowQualityDetail(ObjectRef ref, ScoreResult result, double threshold,
      Provenance model, String resultUri) {
    ObjectNode detail = object(ref, model, resultUri);
    detail.put("q", result.q());
    detail.put("q_sim", result.qSim());
    detail.put("q_mag", result.qMag());
    detail.put("low_quality_below", threshold);
    return detail;
  }

  /** The detail of {@value #NOT_SCORED}: the object, the cause and error, the model. */
  static ObjectNode errorDetail(ObjectRef ref, FailureCause cause, String error,
      Provenance model, String resultUri) {
    ObjectNode detail = object(ref, model, resultUri);
    detail.put("cause", cause.id());
    detail.put("error", error);
    return detail;
  }

  private static ObjectNode object(ObjectRef ref, Provenance model, String resultUri) {
    ObjectNode detail = MAPPER.createObjectNode();
    detail.put("bucket", ref.bucket());
    detail.put("key", ref.key());
    detail.put("version_id", ref.versionId());
    detail.put("result", resultUri);
    ObjectNode m = detail.putObject("model");
    m.put("backbone", model.backbone());
    m.put("pretrained", model.pretrained());
    m.put("sha256", model.modelSha256());
    return detail;
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
  }
}
