package org.maclip.function;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.maclip.function.event.ObjectRef;
import org.maclip.scoring.ResultJson;
import org.maclip.scoring.ScoreResult;

/**
 * The result JSON written for one source object: format, source, ok, then {@link ResultJson}'s
 * score fields with view_scores (named as in the reference's
 * {@code ImageResult.to_dict(include_views=True)}), {@code low_quality} when a threshold is set
 * ({@code maclip.events.low-quality-below}), then model, params, function and timings.
 */
public final class ResultDocument {
  public static final String FORMAT = "maclip-result";
  public static final int FORMAT_VERSION = 1;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ResultDocument() {}

  public static ObjectNode build(
      ObjectRef ref,
      Fetch.Source source,
      ScoreResult result,
      Boolean lowQuality,
      Provenance provenance,
      Timings timings,
      Instant scoredAt) {
    ObjectNode doc = MAPPER.createObjectNode();
    doc.put("format", FORMAT);
    doc.put("format_version", FORMAT_VERSION);
    ObjectNode src = doc.putObject("source");
    src.put("bucket", ref.bucket());
    src.put("key", ref.key());
    src.put("etag", source.eTag());
    src.put("version_id", source.versionId());
    src.put("size", source.size());
    doc.put("ok", result.ok());
    ResultJson.putScores(doc, result, true);
    if (lowQuality != null) {
      doc.put("low_quality", lowQuality);
    }
    ObjectNode model = doc.putObject("model");
    model.put("backbone", provenance.backbone());
    model.put("pretrained", provenance.pretrained());
    model.put("sha256", provenance.modelSha256());
    doc.put("method", provenance.method());
    ObjectNode params = doc.putObject("params");
    params.put("lam", provenance.params().lam());
    params.put("alpha", provenance.params().alpha());
    params.put("b_sim", provenance.params().bSim());
    params.put("b_mag", provenance.params().bMag());
    ObjectNode function = doc.putObject("function");
    function.put("name", provenance.functionName());
    function.put("version", provenance.functionVersion());
    function.put("lambda_version", provenance.lambdaVersion());
    ObjectNode time = doc.putObject("timings_ms");
    time.put("fetch", timings.fetchMs());
    time.put("score", timings.scoreMs());
    time.put("batch", timings.batchMs());
    doc.put("batch_images", timings.batchImages());
    doc.put("scored_at", scoredAt.toString());
    return doc;
  }

  public static byte[] bytes(ObjectNode doc) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write a result document: " + e.getMessage(), e);
    }
  }
}
