package org.maclip.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether standard error is a terminal (for a progress counter redrawn in place). */
final class Terminal {
  private Terminal() {}

  /**
   * True when file descriptor 2 is a terminal. Linux tells through {@code /proc/self/fd/2};
   * elsewhere, a console attached to the JVM is taken as the answer.
   */
  static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return System.console() != null;
    }
  }
}
