package org.maclip.scoring;

/** An input that cannot be scored; the message is {@code "<source>: <reason>"}. */
public class ImageException extends Exception {
  private final String source;
  private final String reason;

  public ImageException(String source, String reason) {
    this(source, reason, null);
  }

  public ImageException(String source, String reason, Throwable cause) {
    super(source + ": " + reason, cause);
    this.source = source;
    this.reason = reason;
  }

  /** The input's name. */
  public String source() {
    return source;
  }

  /** One line saying why, without the name. */
  public String reason() {
    return reason;
  }
}
