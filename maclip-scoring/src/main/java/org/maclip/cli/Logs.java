package org.maclip.cli;

import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Library warnings (java.util.logging) as one line each: {@code maclip: warning: ...}. */
final class Logs {
  private Logs() {}

  /** Replaces the JVM's two-line log format on standard error with one line per record. */
  static void oneLinePerRecord() {
    Logger root = Logger.getLogger("");
    for (Handler handler : root.getHandlers()) {
      root.removeHandler(handler);
    }
    Handler handler = new ConsoleHandler();
    handler.setFormatter(new OneLine());
    root.addHandler(handler);
  }

  /** {@code maclip: <level>: <message>}, line breaks in the message made spaces. */
  static final class OneLine extends Formatter {
    @Override
    public String format(LogRecord record) {
      String message = formatMessage(record).strip().replaceAll("\\s*\\R\\s*", " ");
      return "maclip: " + record.getLevel().getName().toLowerCase(Locale.ROOT) + ": " + message
          + System.lineSeparator();
    }
  }
}
