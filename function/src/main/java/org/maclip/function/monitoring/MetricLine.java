package org.maclip.function.monitoring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Formats one line of CloudWatch's embedded metric format (EMF): a JSON object whose
 * {@code _aws} member tells CloudWatch Logs which of its members are metrics, in which namespace
 * and under which dimension sets; the other members (bucket, key, error) stay in the log line for
 * Logs Insights and cost nothing as metrics. Pure: no clock, no output.
 *
 * <p>Dimensions are few and bounded: {@code Function} (the function or worker group),
 * {@code Model} (backbone/pretrained precision) and {@code Cause} (a {@link FailureCause}).
 */
public final class MetricLine {
  public static final String FUNCTION = "Function";
  public static final String MODEL = "Model";
  public static final String CAUSE = "Cause";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private MetricLine() {}

  /**
   * What every line of one process carries.
   *
   * @param namespace the CloudWatch namespace
   * @param function the {@code Function} dimension's value
   * @param model the {@code Model} dimension's value ({@link #modelName})
   * @param modelSha256 the model's sha256 (a property, not a dimension)
   */
  public record Context(String namespace, String function, String model, String modelSha256) {}

  /** The object a line is about. */
  public record Source(String bucket, String key, String versionId) {}

  /**
   * A scored image: {@code ImagesScored} 1, {@code LatencyMs}, {@code Views}, {@code Q} (values,
   * so CloudWatch has percentiles), and {@code LowQuality} 0 or 1 when a threshold is set (null:
   * none).
   */
  public record Scored(Source source, long latencyMs, int views, double q, Boolean lowQuality) {}

  /** An image that got an error result, or was lost, with its cause and error. */
  public record Failed(Source source, FailureCause cause, String error) {}

  /**
   * One invocation's batch (a queue worker's batch too).
   *
   * @param images objects scored or failed in it
   * @param batchMs the scoring run's wall time
   * @param first whether it was the first batch of the process (or of a restored copy)
   * @param retried objects handed back for a retry (S3 errors, throttling)
   * @param eventsSent events EventBridge accepted
   * @param eventsFailed events EventBridge refused or never received
   * @param replacedOtherModel results written over a result of another model
   */
  public record Batch(int images, long batchMs, boolean first, int retried, int eventsSent,
      int eventsFailed, int replacedOtherModel) {}

  /**
   * The {@code Model} dimension: backbone/pretrained, precision and the first 8 hex digits of
   * {@code visual.onnx}'s sha256, e.g. {@code RN50/openai fp32 1835518a}: a model rolled out
   * under the same name is a new series, so a period when two models score is visible.
   */
  public static String modelName(String backbone, String pretrained, String precision,
      String sha256) {
    return backbone + "/" + pretrained + " " + precision + " "
        + sha256.substring(0, Math.min(8, sha256.length()));
  }

  public static String scored(Context context, Scored scored, long timestampMs) {
    ObjectNode line = start(context, timestampMs, List.of(List.of(FUNCTION),
        List.of(FUNCTION, MODEL)), scored.lowQuality() == null
            ? List.of("ImagesScored:Count", "LatencyMs:Milliseconds", "Views:Count", "Q:None")
            : List.of("ImagesScored:Count", "LatencyMs:Milliseconds", "Views:Count", "Q:None",
                "LowQuality:Count"));
    line.put("ImagesScored", 1);
    line.put("LatencyMs", scored.latencyMs());
    line.put("Views", scored.views());
    line.put("Q", scored.q());
    if (scored.lowQuality() != null) {
      line.put("LowQuality", scored.lowQuality() ? 1 : 0);
    }
    source(line, scored.source());
    return text(line);
  }

  public static String failed(Context context, Failed failed, long timestampMs) {
    ObjectNode line = start(context, timestampMs,
        List.of(List.of(FUNCTION), List.of(FUNCTION, CAUSE)), List.of("ImagesFailed:Count"));
    line.put(CAUSE, failed.cause().id());
    line.put("ImagesFailed", 1);
    source(line, failed.source());
    line.put("error", failed.error());
    return text(line);
  }

  public static String batch(Context context, Batch batch, long timestampMs) {
    ObjectNode line = start(context, timestampMs, List.of(List.of(FUNCTION)),
        List.of("BatchImages:Count", "BatchMs:Milliseconds", "FirstBatch:Count", "Retried:Count",
            "EventsSent:Count", "EventsFailed:Count", "ReplacedOtherModel:Count"));
    line.put("BatchImages", batch.images());
    line.put("BatchMs", batch.batchMs());
    line.put("FirstBatch", batch.first() ? 1 : 0);
    line.put("Retried", batch.retried());
    line.put("EventsSent", batch.eventsSent());
    line.put("EventsFailed", batch.eventsFailed());
    line.put("ReplacedOtherModel", batch.replacedOtherModel());
    return text(line);
  }

  /** The {@code _aws} metadata, the dimension values and the model's name and checksum. */
  private static ObjectNode start(Context context, long timestampMs,
      List<List<String>> dimensionSets, List<String> metrics) {
    ObjectNode line = MAPPER.createObjectNode();
    ObjectNode aws = line.putObject("_aws");
    aws.put("Timestamp", timestampMs);
    ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
    directive.put("Namespace", context.namespace());
    ArrayNode dimensions = directive.putArray("Dimensions");
    for (List<String> set : dimensionSets) {
      ArrayNode names = dimensions.addArray();
      set.forEach(names::add);
    }
    ArrayNode definitions = directive.putArray("Metrics");
    for (String metric : metrics) {
      String[] nameAndUnit = metric.split(":");
      definitions.addObject().put("Name", nameAndUnit[0]).put("Unit", nameAndUnit[1]);
    }
    line.put(FUNCTION, context.function());
    line.put(MODEL, context.model());
    line.put("model_sha256", context.modelSha256());
    return line;
  }

  private static void source(ObjectNode line, Source source) {
    line.put("bucket", source.bucket());
    line.put("key", source.key());
    line.put("version_id", source.versionId());
  }

  private static String text(ObjectNode line) {
    try {
      return MAPPER.writeValueAsString(line); // one line: Jackson escapes every newline
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a metric line: " + e.getMessage(), e);
    }
  }
}
