package org.maclip.function.monitoring;

import java.util.function.LongSupplier;
import org.maclip.function.event.ObjectRef;
import org.maclip.scoring.ScoreResult;

/**
 * The function's metric lines (CloudWatch's embedded metric format, {@link MetricLine}): one per
 * image scored or failed, one per batch. No client and no API call: CloudWatch Logs turns the
 * lines into metrics. Disabled, it writes nothing.
 */
public final class QualityMetrics {
  private final MetricLine.Context context;
  private final MetricsSink sink;
  private final boolean enabled;
  private final LongSupplier clock;

  public QualityMetrics(MetricLine.Context context, MetricsSink sink, boolean enabled,
      LongSupplier clock) {
    this.context = context;
    this.sink = sink;
    this.enabled = enabled;
    this.clock = clock;
  }

  /** A scored image; {@code lowQuality} null when no threshold is set. */
  public void scored(ObjectRef ref, ScoreResult result, long latencyMs, Boolean lowQuality) {
    if (enabled) {
      sink.emit(MetricLine.scored(context, new MetricLine.Scored(source(ref), latencyMs,
          result.viewCount(), result.q(), lowQuality), clock.getAsLong()));
    }
  }

  /** An image that got an error result, was deleted first, or met a model or set-up error. */
  public void failed(ObjectRef ref, FailureCause cause, String error) {
    if (enabled) {
      sink.emit(MetricLine.failed(context, new MetricLine.Failed(source(ref), cause, error),
          clock.getAsLong()));
    }
  }

  public void batch(MetricLine.Batch batch) {
    if (enabled) {
      sink.emit(MetricLine.batch(context, batch, clock.getAsLong()));
    }
  }

  private static MetricLine.Source source(ObjectRef ref) {
    return new MetricLine.Source(ref.bucket(), ref.key(), ref.versionId());
  }
}
