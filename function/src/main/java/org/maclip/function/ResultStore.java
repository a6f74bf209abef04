package org.maclip.function;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jboss.logging.Logger;
import org.maclip.function.event.ObjectRef;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * Writes result documents (one deterministic key per source key, so a repeated event overwrites
 * rather than duplicates) and, when asked, tags the source object with its score. Each result
 * carries the sha256 of the model that wrote it as user metadata ({@value #MODEL_METADATA}); a
 * result that replaces one of another model says so ({@link Written#replacedModel}): the first
 * write of a key is conditional ({@code If-None-Match: *}), so only a re-score pays a HeadObject.
 */
public final class ResultStore {
  private static final Logger LOG = Logger.getLogger(ResultStore.class);
  /** Set on a source scored under the low-quality threshold, beside its score tag. */
  public static final String LOW_QUALITY_TAG = "maclip-low-quality";
  /** The result object's user metadata naming the model that wrote it. */
  public static final String MODEL_METADATA = "maclip-model-sha256";

  private final S3Client s3;
  private final KeyFilter layout;
  private final String tagKey;

  /** @param tagKey the tag carrying the score, or null to leave sources untagged */
  public ResultStore(S3Client s3, KeyFilter layout, String tagKey) {
    this.s3 = s3;
    this.layout = layout;
    this.tagKey = tagKey;
  }

  /**
   * Where a result went, and the sha256 of the other model whose result it replaced (null when
   * there was none, or it was this model's, or it predates the metadata).
   */
  public record Written(String location, String replacedModel) {}

  /** Writes the document; S3 errors are thrown (the caller retries the delivery). */
  public Written write(ObjectRef source, byte[] json, String modelSha256) {
    String bucket = layout.resultsBucketFor(source.bucket());
    String key = layout.resultKeyFor(source.key());
    String location = "s3://" + bucket + "/" + key;
    try {
      put(bucket, key, json, modelSha256, true);
      return new Written(location, null);
    } catch (S3Exception e) {
      if (e.statusCode() != 412) {
        throw e;
      }
    }
    String previous = s3.headObject(b -> b.bucket(bucket).key(key)).metadata()
        .get(MODEL_METADATA);
    put(bucket, key, json, modelSha256, false);
    return new Written(location,
        previous != null && !previous.equalsIgnoreCase(modelSha256) ? previous : null);
  }

  private void put(String bucket, String key, byte[] json, String modelSha256, boolean first) {
    s3.putObject(b -> {
      b.bucket(bucket).key(key).contentType("application/json")
          .metadata(java.util.Map.of(MODEL_METADATA, modelSha256));
      if (first) {
        b.ifNoneMatch("*"); // a key's first result; 412 when one exists
      }
    }, RequestBody.fromBytes(json));
  }

  /**
   * Sets the score tag on the source, keeping its other tags, and {@value #LOW_QUALITY_TAG}
   * {@code =true} on a low-quality image (removed from one that no longer is). Best effort:
   * failures are logged.
   *
   * @param lowQuality null when no threshold is set
   */
  public void tag(ObjectRef source, double q, Boolean lowQuality) {
    if (tagKey == null) {
      return;
    }
    try {
      List<Tag> tags = new ArrayList<>();
      for (Tag tag : s3.getObjectTagging(b -> b.bucket(source.bucket()).key(source.key())
          .versionId(source.versionId())).tagSet()) {
        if (!tag.key().equals(tagKey) && !tag.key().equals(LOW_QUALITY_TAG)) {
          tags.add(tag);
        }
      }
      tags.add(Tag.builder().key(tagKey).value(tagValue(q)).build());
      if (Boolean.TRUE.equals(lowQuality)) {
        tags.add(Tag.builder().key(LOW_QUALITY_TAG).value("true").build());
      }
      s3.putObjectTagging(b -> b.bucket(source.bucket()).key(source.key())
          .versionId(source.versionId()).tagging(t -> t.tagSet(tags)));
    } catch (SdkException e) {
      LOG.warnf("%s: scored, but the %s tag could not be set: %s", source.uri(), tagKey,
          e.getMessage());
    }
  }

  /** The tag value: six decimals, locale-independent. */
  static String tagValue(double q) {
    return String.format(Locale.ROOT, "%.6f", q);
  }
}
