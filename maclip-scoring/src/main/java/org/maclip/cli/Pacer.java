package org.maclip.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * Lets a driver interleave {@code maclip bench} with other work: each step is announced on
 * standard error as {@code bench: <step>}, and the next one starts when a line arrives on
 * standard input. The time spent waiting is counted, so that it can be left out of wall times.
 */
final class Pacer {
  /** No announcements, no waiting. */
  static final Pacer NONE = new Pacer(null, null);

  private final BufferedReader in;
  private final PrintWriter err;
  private double waitedSeconds;

  private Pacer(BufferedReader in, PrintWriter err) {
    this.in = in;
    this.err = err;
  }

  /** Announces on {@code err} and waits for lines on {@code in}. */
  static Pacer of(InputStream in, PrintWriter err) {
    return new Pacer(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), err);
  }

  /** Prints {@code bench: <step>} (and flushes it). */
  void announce(String step) {
    if (err != null) {
      err.println("bench: " + step);
      err.flush();
    }
  }

  /**
   * Blocks until the driver sends a line.
   *
   * @throws CliException standard input ended or cannot be read
   */
  void await() {
    if (in == null) {
      return;
    }
    long start = System.nanoTime();
    String line;
    try {
      line = in.readLine();
    } catch (IOException e) {
      throw new CliException("--paced: cannot read standard input: " + Exit.reason(e), e);
    }
    waitedSeconds += (System.nanoTime() - start) / 1e9;
    if (line == null) {
      throw new CliException("--paced: standard input ended before the benchmark did");
    }
  }

  /** Seconds spent in {@link #await}. */
  double waitedSeconds() {
    return waitedSeconds;
  }
}
