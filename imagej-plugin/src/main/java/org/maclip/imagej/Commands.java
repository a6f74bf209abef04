package org.maclip.imagej;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.macro.Interpreter;
import java.awt.EventQueue;
import java.util.Optional;
import org.maclip.scoring.ModelException;
import org.maclip.scoring.SetupException;

/**
 * How every command runs: ask (dialog or macro options) on the calling thread, do the work off
 * the event-dispatch thread, and turn every expected failure into one line for {@link IJ#error}
 * (a dialog, or in a macro an error that stops it), never a stack trace.
 */
final class Commands {
  /** The title of every message. */
  static final String TITLE = "MA-CLIP";
  /** The label (macro key {@code model}) every command uses for the bundle. */
  static final String MODEL_LABEL = "Model bundle";
  /** The label (macro key {@code raw}) of the raw-data conversion. */
  static final String RAW_LABEL = "Raw data range (ignore LUT and display range)";

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

  /** The image on display, for a command that works on it (the purpose ends the message). */
  static ImagePlus currentImage(String purpose) throws UserError {
    ImagePlus imp = WindowManager.getCurrentImage();
    if (imp == null) {
      throw new UserError("no image is open: open the image to " + purpose + " first");
    }
    return imp;
  }

  static void run(Setup setup) {
    String error;
    try {
      Optional<Work> work = setup.prepare();
      if (work.isEmpty()) {
        return;
      }
      if (EventQueue.isDispatchThread()) {
        Thread thread = new Thread(() -> report(attempt(work.get()), false), "MA-CLIP");
        thread.start();
        return;
      }
      error = attempt(work.get());
    } catch (UserError | IllegalArgumentException e) {
      error = e.getMessage();
    }
    report(error, true);
  }

  /** Runs the work; the one-line message of an expected failure, or null. */
  private static String attempt(Work work) {
    try {
      work.run();
      return null;
    } catch (UserError | IllegalArgumentException | ModelException | SetupException e) {
      return e.getMessage();
    } catch (NoClassDefFoundError | UnsatisfiedLinkError e) {
      return "ONNX Runtime is missing or cannot load (" + e.getMessage() + "): install MA-CLIP"
          + " from its update site, or copy jars/ and lib/ of its release into Fiji.app";
    } catch (OutOfMemoryError e) {
      return "out of memory: lower the batch size in Plugins > MA-CLIP > Settings...";
    }
  }

  /**
   * Shows the message, outside any catch. With the ImageJ window up: {@link IJ#error}, a dialog,
   * or in a macro a macro error that stops it. Without it (-batch, headless), where a dialog would
   * fail or wait forever: one line on the log (standard output) and the macro stops.
   *
   * @param macroThread true on the thread that ran the command (the macro's, if any)
   */
  private static void report(String error, boolean macroThread) {
    if (error == null) {
      return;
    }
    String line = oneLine(error);
    if (IJ.getInstance() != null) {
      IJ.error(TITLE, line);
      return;
    }
    IJ.log(TITLE + ": " + line);
    Interpreter macro = macroThread ? Interpreter.getInstance() : null;
    if (macro != null) {
      macro.setIgnoreErrors(true); // no error dialog: the line above is the message
      macro.abort(line);
    }
  }

  static String oneLine(String text) {
    return text.replaceAll("\\s*\\n\\s*", " ").trim();
  }
}
