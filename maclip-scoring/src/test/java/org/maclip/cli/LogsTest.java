package org.maclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LogsTest {
  @Test
  void aLibraryWarningIsOneLine() {
    LogRecord record = new LogRecord(Level.WARNING, "CUDA could not start ({0});\n running on {1}");
    record.setParameters(new Object[] {"no provider", "the CPU"});
    assertEquals("maclip: warning: CUDA could not start (no provider); running on the CPU"
        + System.lineSeparator(), new Logs.OneLine().format(record));
  }
}
