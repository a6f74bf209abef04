package org.maclip.cli;

/** A usage or set-up problem: reported as one line {@code maclip: error: ...}, exit code 2. */
final class CliException extends RuntimeException {
  CliException(String message) {
    super(message);
  }

  CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
