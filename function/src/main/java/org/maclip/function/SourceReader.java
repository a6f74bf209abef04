package org.maclip.function;

import java.io.IOException;
import org.maclip.function.event.ObjectRef;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Reads a source object in one GetObject: its size, ETag and version come with the response's
 * headers, so an empty or oversized object is refused, and its connection aborted, before its
 * body is read; one request also means one version (no HeadObject, then a GetObject that a
 * concurrent overwrite could answer with other bytes). A 404 means the object was deleted; every
 * other S3 error, and a body that breaks off, is thrown, for the caller to retry.
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
    try (ResponseInputStream<GetObjectResponse> body = s3.getObject(
        b -> b.bucket(ref.bucket()).key(ref.key()).versionId(ref.versionId()))) {
      GetObjectResponse response = body.response();
      Fetch.Source source = new Fetch.Source(
          response.contentLength(), unquote(response.eTag()), response.versionId());
      String refusal = refusal(source.size(), maxBytes);
      if (refusal != null) {
        body.abort();
        return new Fetch.Refused(ref, source, refusal);
      }
      byte[] bytes = body.readAllBytes();
      if (bytes.length != source.size()) {
        throw SdkClientException.create("the body ended after " + bytes.length + " of "
            + source.size() + " bytes");
      }
      return new Fetch.Fetched(ref, source, bytes, (System.nanoTime() - start) / 1_000_000);
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return new Fetch.Gone(ref);
      }
      throw e;
    } catch (IOException e) {
      throw SdkClientException.create("reading the body failed (" + e.getMessage() + ")", e);
    }
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
