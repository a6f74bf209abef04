package org.maclip.function;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jboss.logging.Logger;
import org.maclip.function.event.ObjectRef;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * Writes result documents (one deterministic key per source key, so a repeated event overwrites
 * rather than duplicates) and, when asked, tags the source object with its score.
 */
public final class ResultStore {
  private static final Logger LOG = Logger.getLogger(ResultStore.class);
  /** Set on a source scored under the low-quality threshold, beside its score tag. */
  public static final String LOW_QUALITY_TAG = "maclip-low-quality";

  private final S3Client s3;
  private final KeyFilter layout;
  private final String tagKey;

  /** @param tagKey the tag carrying the score, or null to leave sources untagged */
  public ResultStore(S3Client s3, KeyFilter layout, String tagKey) {
    this.s3 = s3;
    this.layout = layout;
    this.tagKey = tagKey;
  }

  /** Writes the document; S3 errors are thrown (the caller retries the delivery). */
  public String write(ObjectRef source, byte[] json) {
    String bucket = layout.resultsBucketFor(source.bucket());
    String key = layout.resultKeyFor(source.key());
    s3.putObject(b -> b.bucket(bucket).key(key).contentType("application/json"),
        RequestBody.fromBytes(json));
    return "s3://" + bucket + "/" + key;
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
