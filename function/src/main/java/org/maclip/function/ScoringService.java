package org.maclip.function;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;
import org.maclip.function.event.Delivery;
import org.maclip.function.event.EventParser;
import org.maclip.function.event.LambdaEvent;
import org.maclip.function.event.ObjectRef;
import org.maclip.function.monitoring.FailureCause;
import org.maclip.function.monitoring.MetricLine;
import org.maclip.function.monitoring.MetricsSink;
import org.maclip.function.monitoring.QualityEvents;
import org.maclip.function.monitoring.QualityMetrics;
import org.maclip.scoring.ImageFormats;
import org.maclip.scoring.ModelException;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.Scorer;
import org.maclip.scoring.SetupException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One invocation: parse the event, filter the keys, read every object, score them together,
 * write one result per object. An object that can never be scored gets a result with its error;
 * one that was deleted is skipped; an S3 failure fails the deliveries that named it (SQS: their
 * messages are reported; direct: the invocation throws, and Lambda retries it). Every image
 * scored or failed, and every batch, is a metric line ({@link QualityMetrics}); low-quality and,
 * when asked, failed images are announced on EventBridge ({@link QualityEvents}).
 */
@ApplicationScoped
public class ScoringService {
  private static final Logger LOG = Logger.getLogger(ScoringService.class);

  private final EventParser parser;
  private final KeyFilter filter;
  private final SourceReader reader;
  private final BatchScorer scorer;
  private final ResultStore store;
  private final Provenance provenance;
  private final QualityMetrics metrics;
  private final QualityEvents events;

  public ScoringService(FunctionConfig config, S3Client s3, Scorer scorer, MetricsSink sink) {
    this.parser = new EventParser(new ObjectMapper());
    this.filter = new KeyFilter(config.inputPrefix().orElse(""),
        config.suffixes().orElse(ImageFormats.SUFFIXES),
        config.resultsPrefix(), config.resultsBucket().orElse(null));
    this.reader = new SourceReader(s3, config.maxObjectBytes());
    this.scorer = new BatchScorer(scorer);
    this.store = new ResultStore(s3, filter,
        config.tagging().enabled() ? config.tagging().key() : null);
    this.provenance = Provenance.of(scorer, config.functionVersion());
    this.metrics = new QualityMetrics(new MetricLine.Context(config.metrics().namespace(),
        config.metrics().functionName().orElse(provenance.functionName()),
        MetricLine.modelName(scorer.bundle().backbone(), scorer.bundle().pretrained(),
            scorer.bundle().precision(), provenance.modelSha256()), provenance.modelSha256()),
        sink, config.metrics().enabled(), System::currentTimeMillis);
    FunctionConfig.Events announce = config.events();
    this.events = QualityEvents.create(announce.lowQualityBelow(), announce.errors(),
        announce.busName(), announce.endpointOverride(), announce.region());
  }

  @PreDestroy
  void close() {
    events.close();
  }

  /** An object to process and the deliveries that named it (the same object may come twice). */
  private static final class Item {
    final ObjectRef ref;
    final List<Delivery> owners = new ArrayList<>();
    Fetch fetch;

    Item(ObjectRef ref) {
      this.ref = ref;
    }
  }

  public BatchResponse handle(LambdaEvent event) {
    Set<Delivery> failed = new LinkedHashSet<>();
    Map<String, Item> items = new LinkedHashMap<>();
    for (Delivery delivery : parser.parse(event)) {
      if (delivery.error() != null) {
        LOG.errorf("Message %s cannot be read: %s", delivery.messageId(), delivery.error());
        if (delivery.fromQueue()) {
          failed.add(delivery); // to the dead-letter queue after the queue's maxReceiveCount
        }
        continue;
      }
      for (ObjectRef ref : delivery.objects()) {
        Optional<String> rejection = filter.rejection(ref.bucket(), ref.key());
        if (rejection.isPresent()) {
          LOG.infof("%s: not scored: %s", ref.uri(), rejection.get());
          continue;
        }
        items.computeIfAbsent(ref.uri() + "?versionId=" + ref.versionId(), k -> new Item(ref))
            .owners.add(delivery);
      }
    }
    List<Item> fetched = new ArrayList<>();
    for (Item item : items.values()) {
      try {
        item.fetch = reader.read(item.ref);
        if (item.fetch instanceof Fetch.Fetched) {
          fetched.add(item);
        }
      } catch (SdkException e) {
        fail(item, "cannot be read", e, failed);
      }
    }
    Scores scores = score(fetched, failed);
    Invocation invocation = new Invocation(events.pending());
    for (Item item : items.values()) {
      if (item.fetch == null || failed.containsAll(item.owners)) {
        continue;
      }
      try {
        finish(item, scores, invocation);
      } catch (SdkException e) {
        fail(item, "scored, but its result cannot be written", e, failed);
      }
    }
    if (!items.isEmpty()) {
      QualityEvents.Outcome sent = invocation.announced.send();
      int retried = (int) items.values().stream()
          .filter(item -> failed.containsAll(item.owners)).count();
      metrics.batch(new MetricLine.Batch(items.size(), scores.batchMs(), scores.first(),
          retried, sent.sent(), sent.failed(), invocation.replacedOtherModel));
    }
    return respond(failed);
  }

  /** What one invocation's written results leave to do: events to send, replacements to count. */
  private static final class Invocation {
    final QualityEvents.Pending announced;
    int replacedOtherModel;

    Invocation(QualityEvents.Pending announced) {
      this.announced = announced;
    }
  }

  /** Whether the process has yet to score its first batch (logged: part of the cold start). */
  private static final java.util.concurrent.atomic.AtomicBoolean FIRST_BATCH =
      new java.util.concurrent.atomic.AtomicBoolean(true);

  /** A copy restored from a SnapStart snapshot logs its own first batch (SnapStartPriming). */
  static void rearmFirstBatchLog() {
    FIRST_BATCH.set(true);
  }

  /** The invocation's scoring run: each fetched item's result, and the run's size and time. */
  private record Scores(Map<Item, BatchScorer.Scored> byItem, long batchMs, boolean first) {}

  private Scores score(List<Item> fetched, Set<Delivery> failed) {
    Map<Item, BatchScorer.Scored> byItem = new LinkedHashMap<>();
    try {
      BatchScorer.Batch batch = scorer.score(
          fetched.stream().map(item -> (Fetch.Fetched) item.fetch).toList());
      for (int i = 0; i < fetched.size(); i++) {
        byItem.put(fetched.get(i), batch.items().get(i));
      }
      boolean first = !fetched.isEmpty() && FIRST_BATCH.compareAndSet(true, false);
      if (first) {
        Scorer.LoadTimes times = scorer.loadTimes();
        LOG.infof("First scoring batch of this process: %d images in %d ms, on %s (started beside"
            + " it: ONNX Runtime session %d ms, model checksum %d ms, self-check %d ms); JVM"
            + " start to here %d ms", fetched.size(), batch.batchMs(), scorer.device(),
            times.sessionMillis(), times.checksumMillis(), times.selfCheckMillis(),
            Beans.sinceJvmStart());
      }
      return new Scores(byItem, batch.batchMs(), first);
    } catch (SetupException | ModelException e) {
      // A ModelException: the model failed its checksum or its self-check (Scorer.openInBackground,
      // or a SnapStart restore on a host that computes it differently).
      // One line for the operator, not one "cannot be scored" per object: no object would fare
      // better until the deployment is fixed. The messages go back to the queue (then its DLQ).
      LOG.errorf("Set-up error, nothing can be scored until the function is fixed: %s",
          e.getMessage());
      for (Item item : fetched) {
        failed.addAll(item.owners);
        metrics.failed(item.ref, FailureCause.MODEL_OR_SETUP, e.getMessage());
      }
      return new Scores(byItem, 0, false);
    } catch (RuntimeException e) {
      for (Item item : fetched) {
        fail(item, "cannot be scored", e, failed);
        metrics.failed(item.ref, FailureCause.MODEL_OR_SETUP, e.getMessage());
      }
      return new Scores(byItem, 0, false);
    }
  }

  private void finish(Item item, Scores scores, Invocation invocation) {
    if (item.fetch instanceof Fetch.Gone) {
      LOG.infof("%s: deleted before it could be read; skipped", item.ref.uri());
      metrics.failed(item.ref, FailureCause.SOURCE_GONE, "deleted before it could be read");
    } else if (item.fetch instanceof Fetch.Refused refused) {
      write(item, refused.source(), ScoreResult.failed(item.ref.uri(), refused.reason()),
          Timings.NONE, invocation);
    } else if (item.fetch instanceof Fetch.Fetched fetched) {
      BatchScorer.Scored scored = scores.byItem().get(item);
      write(item, fetched.source(), scored.result(), new Timings(fetched.millis(),
          scored.scoreMs(), scores.batchMs(), scores.byItem().size()), invocation);
    }
  }

  /** Writes the result, then tags, counts and announces it. */
  private void write(Item item, Fetch.Source source, ScoreResult result, Timings timings,
      Invocation invocation) {
    Boolean lowQuality = events.lowQuality(result);
    byte[] json = ResultDocument.bytes(ResultDocument.build(item.ref, source, result,
        lowQuality, provenance, timings, Instant.now()));
    ResultStore.Written stored = store.write(item.ref, json, provenance.modelSha256());
    String where = stored.location();
    QualityEvents.Pending announced = invocation.announced;
    if (stored.replacedModel() != null) {
      invocation.replacedOtherModel++;
      LOG.warnf("%s: its result, written by model %s, is replaced by one of model %s (%s)",
          item.ref.uri(), stored.replacedModel(), provenance.modelSha256(), where);
    }
    if (result.ok()) {
      LOG.infof("%s: Q=%.4f (%d views, %d ms) -> %s", item.ref.uri(), result.q(),
          result.viewCount(), timings.scoreMs(), where);
      store.tag(item.ref, result.q(), lowQuality);
      metrics.scored(item.ref, result, timings.fetchMs() + timings.batchMs(), lowQuality);
      announced.scored(item.ref, result, provenance, where);
    } else {
      LOG.warnf("%s: not scorable (%s) -> %s", item.ref.uri(), result.error(), where);
      FailureCause cause = FailureCause.ofError(result.error());
      metrics.failed(item.ref, cause, result.error());
      announced.failed(item.ref, cause, result.error(), provenance, where);
    }
  }

  private static void fail(Item item, String what, Exception e, Set<Delivery> failed) {
    LOG.warnf("%s: %s, will be retried: %s", item.ref.uri(), what, e.getMessage());
    failed.addAll(item.owners);
  }

  private static BatchResponse respond(Set<Delivery> failed) {
    List<String> ids = new ArrayList<>();
    int direct = 0;
    for (Delivery delivery : failed) {
      if (delivery.fromQueue()) {
        ids.add(delivery.messageId());
      } else {
        direct++;
      }
    }
    if (direct > 0) {
      throw new RetryableFailure(direct + " object(s) of this S3 event failed for a reason that"
          + " may pass; failing the invocation so that Lambda retries it");
    }
    return BatchResponse.failing(ids);
  }
}
