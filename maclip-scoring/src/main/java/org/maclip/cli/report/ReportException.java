package org.maclip.cli.report;

/** A results file that cannot be read as one, or a report that cannot be written: one line. */
public final class ReportException extends RuntimeException {
  public ReportException(String message) {
    super(message);
  }

  public ReportException(String message, Throwable cause) {
    super(message, cause);
  }
}
