package org.maclip.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.function.BooleanSupplier;
import org.maclip.scoring.ProgressListener;
import org.maclip.scoring.ScoreResult;

/**
 * Takes each finished image: writes its result, reports a failure as {@code error: <path>:
 * <reason>} on standard error, and shows progress there: a counter refreshed in place on a
 * terminal, else a line every {@code every} images. Quiet runs show errors only.
 */
final class Progress implements ProgressListener {
  private final ResultWriter writer;
  private final PrintWriter err;
  private final boolean quiet;
  private final boolean terminal;
  private final int every;
  private final BooleanSupplier outputClosed;
  private int done;
  private int failed;
  private boolean counterShown;
  private long lastDraw;

  /** Thrown when the reader of standard output has gone away: scoring stops quietly. */
  static final class OutputClosed extends RuntimeException {
    OutputClosed() {
      super("standard output was closed", null, false, false);
    }
  }

  Progress(ResultWriter writer, PrintWriter err, boolean quiet, boolean terminal, int every) {
    this(writer, err, quiet, terminal, every, () -> false);
  }

  /** As above; {@code outputClosed} tells when to stop because nobody reads the results. */
  Progress(ResultWriter writer, PrintWriter err, boolean quiet, boolean terminal, int every,
      BooleanSupplier outputClosed) {
    this.outputClosed = outputClosed;
    this.writer = writer;
    this.err = err;
    this.quiet = quiet;
    this.terminal = terminal;
    this.every = every;
  }

  @Override
  public synchronized void finished(ScoreResult result, int done, int total) {
    try {
      writer.write(result);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (outputClosed.getAsBoolean()) {
      throw new OutputClosed();
    }
    this.done = done;
    if (!result.ok()) {
      failed++;
      clearCounter();
      err.println("error: " + Text.printable(result.name()) + ": " + Text.printable(result.error()));
    }
    if (!quiet) {
      show(done, total);
    }
    err.flush();
  }

  private void show(int done, int total) {
    if (terminal) {
      long now = System.nanoTime();
      if (done == total || now - lastDraw > 100_000_000L || !counterShown) {
        err.print("\r" + counter(done, total));
        counterShown = true;
        lastDraw = now;
      }
    } else if (done % every == 0 && done < total) {
      err.println(counter(done, total));
    }
  }

  private static String counter(int done, int total) {
    return "scoring: " + done + " of " + total + " images";
  }

  /** Ends the counter's line, so what follows starts on a fresh one. */
  void clearCounter() {
    if (counterShown) {
      err.print("\r\033[K");
      counterShown = false;
    }
  }

  /** Images finished so far. */
  synchronized int done() {
    return done;
  }

  /** Images that failed so far. */
  synchronized int failed() {
    return failed;
  }

  /** Ends the counter's line and prints {@code scored X of Y images; Z failed} (unless quiet). */
  synchronized void summary(int total) {
    clearCounter();
    if (!quiet) {
      err.println("scored " + (done - failed) + " of " + total + " images; " + failed + " failed");
    }
    err.flush();
  }
}
