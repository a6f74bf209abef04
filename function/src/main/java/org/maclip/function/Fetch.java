package org.maclip.function;

import org.maclip.function.event.ObjectRef;

/** What reading one source object gave. Transient failures are thrown, not returned. */
public sealed interface Fetch {

  ObjectRef ref();

  /** The object's metadata as its GetObject response reported it. */
  record Source(long size, String eTag, String versionId) {}

  /** The bytes, ready to score. */
  record Fetched(ObjectRef ref, Source source, byte[] bytes, long millis) implements Fetch {}

  /** Never scorable (empty, too large): gets a result with the error and is not retried. */
  record Refused(ObjectRef ref, Source source, String reason) implements Fetch {}

  /** Deleted before it could be read: logged and skipped. */
  record Gone(ObjectRef ref) implements Fetch {}
}
