package org.maclip.scoring;

/** A model bundle that cannot be used: missing file, wrong format, checksum, runtime failure. */
public class ModelException extends RuntimeException {
  public ModelException(String message) {
    super(message);
  }

  public ModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
