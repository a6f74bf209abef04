package org.maclip.function.monitoring;

import java.util.regex.Pattern;

/**
 * Why an image was not scored, as its metrics and events name it: a small, fixed set, so that
 * each cause is one CloudWatch dimension value (see infra/README.md, "Metrics").
 */
public enum FailureCause {
  /** Not an image, empty, truncated, corrupt: the upload itself is at fault. */
  UNREADABLE("unreadable"),
  /** Over {@code maclip.max-object-bytes}: refused before its body is read. */
  TOO_LARGE("too-large"),
  /** Over {@code maclip.max-pixels}, decoded or as prepared (the decompression-bomb guard). */
  TOO_MANY_PIXELS("too-many-pixels"),
  /** Its header says it needs more memory than the function has, or decoding ran out. */
  NOT_ENOUGH_MEMORY("not-enough-memory"),
  /** Deleted before it could be read. */
  SOURCE_GONE("source-gone"),
  /** The model or the deployment failed: no image would fare better (retried, then DLQ). */
  MODEL_OR_SETUP("model-or-setup");

  private static final Pattern MEMORY =
      Pattern.compile("needs \\d+ MB to decode and prepare|not enough memory");

  private final String id;

  FailureCause(String id) {
    this.id = id;
  }

  /** The dimension value: lower case, hyphenated. */
  public String id() {
    return id;
  }

  /**
   * The cause of an error result, from its one-line error: the size refusal of
   * {@code SourceReader}, the pixel limit and memory checks of maclip-scoring, else unreadable.
   */
  public static FailureCause ofError(String error) {
    if (error.contains("maclip.max-object-bytes")) {
      return TOO_LARGE;
    }
    if (error.contains("(decompression-bomb guard)")) {
      return TOO_MANY_PIXELS;
    }
    if (MEMORY.matcher(error).find()) {
      return NOT_ENOUGH_MEMORY;
    }
    return UNREADABLE;
  }
}
