package org.maclip.function;

import com.fasterxml.jackson.databind.ObjectMapper;
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
 * messages are reported; direct: the invocation throws, and Lambda retries it).
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

  public ScoringService(FunctionConfig config, S3Client s3, Scorer scorer) {
    this.parser = new EventParser(new ObjectMapper());
    this.filter = new KeyFilter(config.inputPrefix().orElse(""),
        config.suffixes().orElse(ImageFormats.SUFFIXES),
        config.resultsPrefix(), config.resultsBucket().orElse(null));
    this.reader = new SourceReader(s3, config.maxObjectBytes());
    this.scorer = new BatchScorer(scorer);
    this.store = new ResultStore(s3, filter,
        config.tagging().enabled() ? config.tagging().key() : null);
    this.provenance = Provenance.of(scorer, config.functionVersion());
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
    for (Item item : items.values()) {
      if (item.fetch == null || failed.containsAll(item.owners)) {
        continue;
      }
      try {
        finish(item, scores);
      } catch (SdkException e) {
        fail(item, "scored, but its result cannot be written", e, failed);
      }
    }
    return respond(failed);
  }

  /** Whether the process has yet to score its first batch (logged: part of the cold start). */
  private static final java.util.concurrent.atomic.AtomicBoolean FIRST_BATCH =
      new java.util.concurrent.atomic.AtomicBoolean(true);

  /** A copy restored from a SnapStart snapshot logs its own first batch (SnapStartPriming). */
  static void rearmFirstBatchLog() {
    FIRST_BATCH.set(true);
  }

  /** The invocation's scoring run: each fetched item's result, and the run's size and time. */
  private record Scores(Map<Item, BatchScorer.Scored> byItem, long batchMs) {}

  private Scores score(List<Item> fetched, Set<Delivery> failed) {
    Map<Item, BatchScorer.Scored> byItem = new LinkedHashMap<>();
    try {
      BatchScorer.Batch batch = scorer.score(
          fetched.stream().map(item -> (Fetch.Fetched) item.fetch).toList());
      for (int i = 0; i < fetched.size(); i++) {
        byItem.put(fetched.get(i), batch.items().get(i));
      }
      if (!fetched.isEmpty() && FIRST_BATCH.compareAndSet(true, false)) {
        Scorer.LoadTimes times = scorer.loadTimes();
        LOG.infof("First scoring batch of this process: %d images in %d ms, on %s (started beside"
            + " it: ONNX Runtime session %d ms, model checksum %d ms, self-check %d ms); JVM"
            + " start to here %d ms", fetched.size(), batch.batchMs(), scorer.device(),
            times.sessionMillis(), times.checksumMillis(), times.selfCheckMillis(),
            Beans.sinceJvmStart());
      }
      return new Scores(byItem, batch.batchMs());
    } catch (SetupException | ModelException e) {
      // A ModelException: the model failed its checksum or its self-check (Scorer.openInBackground,
      // or a SnapStart restore on a host that computes it differently).
      // One line for the operator, not one "cannot be scored" per object: no object would fare
      // better until the deployment is fixed. The messages go back to the queue (then its DLQ).
      LOG.errorf("Set-up error, nothing can be scored until the function is fixed: %s",
          e.getMessage());
      fetched.forEach(item -> failed.addAll(item.owners));
      return new Scores(byItem, 0);
    } catch (RuntimeException e) {
      for (Item item : fetched) {
        fail(item, "cannot be scored", e, failed);
      }
      return new Scores(byItem, 0);
    }
  }

  private void finish(Item item, Scores scores) {
    if (item.fetch instanceof Fetch.Gone) {
      LOG.infof("%s: deleted before it could be read; skipped", item.ref.uri());
    } else if (item.fetch instanceof Fetch.Refused refused) {
      write(item, refused.source(), ScoreResult.failed(item.ref.uri(), refused.reason()),
          Timings.NONE);
    } else if (item.fetch instanceof Fetch.Fetched fetched) {
      BatchScorer.Scored scored = scores.byItem().get(item);
      write(item, fetched.source(), scored.result(), new Timings(fetched.millis(),
          scored.scoreMs(), scores.batchMs(), scores.byItem().size()));
      if (scored.result().ok()) {
        store.tag(item.ref, scored.result().q());
      }
    }
  }

  private void write(Item item, Fetch.Source source, ScoreResult result, Timings timings) {
    byte[] json = ResultDocument.bytes(
        ResultDocument.build(item.ref, source, result, provenance, timings, Instant.now()));
    String where = store.write(item.ref, json);
    if (result.ok()) {
      LOG.infof("%s: Q=%.4f (%d views, %d ms) -> %s", item.ref.uri(), result.q(),
          result.viewCount(), timings.scoreMs(), where);
    } else {
      LOG.warnf("%s: not scorable (%s) -> %s", item.ref.uri(), result.error(), where);
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
