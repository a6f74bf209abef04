package org.maclip.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.maclip.scoring.ModelException;
import org.maclip.scoring.SetupException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Exit codes, and the one place where failures become them: every error the CLI reports goes
 * through {@link #handleExecutionException} or {@link #handleParseException}, which print one
 * line {@code maclip: error: ...} and never a stack trace.
 */
final class Exit implements IExecutionExceptionHandler, IParameterExceptionHandler {
  /** Every image scored. */
  static final int OK = 0;

  /** Some images failed; each was reported with its path and reason. */
  static final int SOME_FAILED = 1;

  /** Bad usage, no inputs, a model that cannot be loaded, or a part of maclip missing here. */
  static final int USAGE = 2;

  /** Interrupted (Ctrl-C). */
  static final int INTERRUPTED = 130;

  /** The code of a run that reported {@code failed} failures. */
  static int ofRun(int failed) {
    return failed == 0 ? OK : SOME_FAILED;
  }

  /** The exit code of an exception that ended a command. */
  static int of(Throwable error) {
    return isInterruption(error) ? INTERRUPTED : USAGE;
  }

  /** The one line shown for an exception that ended a command, without the program name. */
  static String message(Throwable error) {
    if (isInterruption(error)) {
      return "interrupted";
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof CliException || t instanceof ModelException || t instanceof SetupException
          || t instanceof IOException || t instanceof UncheckedIOException) {
        return known(t);
      }
    }
    return known(error);
  }

  private static String known(Throwable error) {
    if (error instanceof CliException || error instanceof ModelException
        || error instanceof SetupException) {
      return error.getMessage();
    }
    if (error instanceof UncheckedIOException unchecked) {
      return ioMessage(unchecked.getCause());
    }
    if (error instanceof IOException io) {
      return ioMessage(io);
    }
    if (error instanceof IllegalArgumentException) {
      return error.getMessage();
    }
    if (error instanceof OutOfMemoryError) {
      return "out of memory: lower --batch-size or --max-pixels, or give java more (-Xmx)";
    }
    return "unexpected " + error.getClass().getSimpleName() + ": " + error.getMessage()
        + " (please report this)";
  }

  /** An I/O failure as one line: {@code <file>: <reason>}. */
  static String ioMessage(IOException error) {
    if (error instanceof FileSystemException fs && fs.getFile() != null) {
      return Text.printable(fs.getFile()) + ": " + reason(error);
    }
    return reason(error);
  }

  /** Why an I/O operation failed, without the file's name. */
  static String reason(IOException error) {
    if (error instanceof NoSuchFileException) {
      return "no such file or folder";
    }
    if (error instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (error instanceof NotDirectoryException) {
      return "not a folder";
    }
    if (error instanceof FileSystemException fs) {
      return fs.getReason() != null ? fs.getReason() : error.getClass().getSimpleName();
    }
    return error.getMessage() != null ? error.getMessage() : error.getClass().getSimpleName();
  }

  private static boolean isInterruption(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof InterruptedException
          || t instanceof java.nio.channels.ClosedByInterruptException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public int handleExecutionException(
      Exception error, CommandLine command, ParseResult parseResult) {
    printError(command.getErr(), message(error));
    return of(error);
  }

  @Override
  public int handleParseException(ParameterException error, String[] args) {
    CommandLine command = error.getCommandLine();
    String name = command.getCommandSpec().qualifiedName();
    printError(command.getErr(), error.getMessage() + " (see " + name + " --help)");
    return USAGE;
  }

  /** Prints {@code maclip: error: <message>} as one line (line breaks in it become spaces). */
  static void printError(PrintWriter err, String message) {
    String line = message == null ? "unknown error" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    err.println("maclip: error: " + line);
    err.flush();
  }
}
