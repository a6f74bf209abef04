package org.maclip.imagej;

import ij.IJ;
import java.awt.EventQueue;
import java.util.Optional;
import org.maclip.scoring.ModelException;

/**
 * How every command runs: ask (dialog or macro options) on the calling thread, do the work off
 * the event-dispatch thread, and turn every expected failure into one line for {@link IJ#error}
 * (a dialog, or in a macro an error that stops it), never a stack trace.
 */
final class Commands {
  /** The title of every message. */
  static final String TITLE = "MA-CLIP";

  /** The work of a command, once its parameters are known. */
  @FunctionalInterface
  interface Work {
    void run() throws UserError;
  }

  /** Reads the parameters; empty when the user cancelled. */
  @FunctionalInterface
  interface Setup {
    Optional<Work> prepare() throws UserError;
  }

  private Commands() {}

  static void run(Setup setup) {
    String error;
    try {
      Optional<Work> work = setup.prepare();
      if (work.isEmpty()) {
        return;
      }
      if (EventQueue.isDispatchThread()) {
        Thread thread = new Thread(() -> report(attempt(work.get())), "MA-CLIP");
        thread.start();
        return;
      }
      error = attempt(work.get());
    } catch (UserError | IllegalArgumentException e) {
      error = e.getMessage();
    }
    report(error);
  }

  /** Runs the work; the one-line message of an expected failure, or null. */
  private static String attempt(Work work) {
    try {
      work.run();
      return null;
    } catch (UserError | IllegalArgumentException | ModelException e) {
      return e.getMessage();
    } catch (NoClassDefFoundError | UnsatisfiedLinkError e) {
      return "ONNX Runtime is missing or cannot load (" + e.getMessage()
          + "): copy onnxruntime-*.jar from the plugin's jars folder into Fiji's jars folder";
    } catch (OutOfMemoryError e) {
      return "out of memory: lower the batch size in Plugins > MA-CLIP > Settings...";
    }
  }

  /** Shows the message (outside any catch: in a macro, IJ.error stops the macro). */
  private static void report(String error) {
    if (error != null) {
      IJ.error(TITLE, oneLine(error));
    }
  }

  static String oneLine(String text) {
    return text.replaceAll("\\s*\\n\\s*", " ").trim();
  }
}
