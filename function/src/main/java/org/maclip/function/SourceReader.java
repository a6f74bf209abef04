package org.maclip.function;

import org.maclip.function.event.ObjectRef;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Reads a source object: its size first (HeadObject), refusing empty and oversized objects
 * before any byte is fetched, then its bytes (GetObject pinned to the ETag just seen, so a
 * concurrent overwrite fails the read instead of mixing two versions). A 404 means the object
 * was deleted; every other S3 error is thrown, for the caller to retry.
 */
public final class SourceReader {
  private final S3Client s3;
  private final long maxBytes;

  public SourceReader(S3Client s3, long maxBytes) {
    this.s3 = s3;
    this.maxBytes = maxBytes;
  }

  public Fetch read(ObjectRef ref) {
    long start = System.nanoTime();
    HeadObjectResponse head;
    try {
      head = s3.headObject(b -> b.bucket(ref.bucket()).key(ref.key()).versionId(ref.versionId()));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return new Fetch.Gone(ref);
      }
      throw e;
    }
    Fetch.Source source =
        new Fetch.Source(head.contentLength(), unquote(head.eTag()), head.versionId());
    String refusal = refusal(source.size(), maxBytes);
    if (refusal != null) {
      return new Fetch.Refused(ref, source, refusal);
    }
    byte[] bytes;
    try {
      bytes = s3.getObjectAsBytes(b -> b.bucket(ref.bucket()).key(ref.key())
              .versionId(ref.versionId()).ifMatch(head.eTag()))
          .asByteArray();
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return new Fetch.Gone(ref);
      }
      throw e;
    }
    return new Fetch.Fetched(ref, source, bytes, (System.nanoTime() - start) / 1_000_000);
  }

  /** Why an object of this size is never scored, or null. */
  static String refusal(long size, long maxBytes) {
    if (size == 0) {
      return "the object is empty (0 bytes)";
    }
    if (size > maxBytes) {
      return "the object is " + size + " bytes, over the limit of " + maxBytes
          + " bytes (maclip.max-object-bytes)";
    }
    return null;
  }

  static String unquote(String eTag) {
    if (eTag != null && eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"")) {
      return eTag.substring(1, eTag.length() - 1);
    }
    return eTag;
  }
}
