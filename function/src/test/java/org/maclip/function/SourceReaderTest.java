package org.maclip.function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.maclip.function.event.ObjectRef;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The reader's decisions on what one GetObject answers (the function's tests cover the same
 * against moto's S3; a body that breaks off or a connection to abort cannot be made there).
 */
class SourceReaderTest {
  private static final ObjectRef REF = new ObjectRef("photos", "in/a.jpg", "v1", null);

  /** Whether the last answer's connection was aborted. */
  private final AtomicBoolean aborted = new AtomicBoolean();

  /** An S3 client whose GetObject answers with this Content-Length and this body. */
  private S3Client answering(long contentLength, byte[] body) {
    return gettingObjects(request -> new ResponseInputStream<>(
        GetObjectResponse.builder().contentLength(contentLength).eTag("\"abc\"")
            .versionId(request.versionId()).build(),
        AbortableInputStream.create(new ByteArrayInputStream(body), () -> aborted.set(true))));
  }

  /** An S3 client that answers GetObject only, with {@code answer}. */
  private static S3Client gettingObjects(
      Function<GetObjectRequest, ResponseInputStream<GetObjectResponse>> answer) {
    return new S3Client() {
      @Override
      public ResponseInputStream<GetObjectResponse> getObject(GetObjectRequest request) {
        return answer.apply(request);
      }

      @Override
      public String serviceName() {
        return "s3";
      }

      @Override
      public void close() {}
    };
  }

  @Test
  void aWholeBodyIsFetchedWithTheHeadersOfTheSameResponse() {
    Fetch fetch = new SourceReader(answering(3, new byte[] {1, 2, 3}), 10).read(REF);
    Fetch.Fetched fetched = assertInstanceOf(Fetch.Fetched.class, fetch);
    assertArrayEquals(new byte[] {1, 2, 3}, fetched.bytes());
    assertEquals(new Fetch.Source(3, "abc", "v1"), fetched.source());
    assertFalse(aborted.get());
  }

  @Test
  void anOversizedObjectIsRefusedAndItsConnectionAbortedBeforeItsBodyIsRead() {
    Fetch fetch = new SourceReader(answering(11, new byte[11]), 10).read(REF);
    Fetch.Refused refused = assertInstanceOf(Fetch.Refused.class, fetch);
    assertTrue(refused.reason().contains("over the limit of 10 bytes"), refused.reason());
    assertTrue(aborted.get(), "the body of a refused object must not be downloaded");
  }

  @Test
  void aBodyThatBreaksOffIsThrownForTheCallerToRetry() {
    SourceReader reader = new SourceReader(answering(10, new byte[3]), 10);
    SdkClientException e = assertThrows(SdkClientException.class, () -> reader.read(REF));
    assertEquals("the body ended after 3 of 10 bytes", e.getMessage());
  }

  @Test
  void aDeletedObjectIsGone() {
    S3Client deleted = gettingObjects(request -> {
      throw (S3Exception) S3Exception.builder().statusCode(404).message("NoSuchKey").build();
    });
    assertInstanceOf(Fetch.Gone.class, new SourceReader(deleted, 10).read(REF));
  }

  @Test
  void emptyAndOversizedObjectsAreRefusedBeforeTheyAreRead() {
    assertEquals("the object is empty (0 bytes)", SourceReader.refusal(0, 10));
    assertEquals("the object is 11 bytes, over the limit of 10 bytes (maclip.max-object-bytes)",
        SourceReader.refusal(11, 10));
    assertNull(SourceReader.refusal(10, 10));
    assertNull(SourceReader.refusal(1, 10));
  }

  @Test
  void eTagsLoseTheirQuotes() {
    assertEquals("abc", SourceReader.unquote("\"abc\""));
    assertEquals("abc-2", SourceReader.unquote("abc-2"));
    assertNull(SourceReader.unquote(null));
  }
}
