package org.maclip.cli;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;

/** The {@code maclip} executable. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Logs.oneLinePerRecord();
    PrintWriter out = utf8(FileDescriptor.out);
    PrintWriter err = utf8(FileDescriptor.err);
    boolean terminal = Terminal.stderrIsTerminal();
    AtomicBoolean finished = new AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (!finished.get()) {
        // Ctrl-C: the JVM exits with 130; every finished result is already written.
        out.flush();
        err.print(terminal ? "\r\033[K" : "");
        Exit.printError(err, "interrupted");
      }
    }, "maclip-interrupt"));
    int code;
    try {
      CommandLine cli = commandLine(terminal, Lister.FILES);
      cli.setOut(out).setErr(err);
      code = cli.execute(args);
    } catch (OutOfMemoryError | StackOverflowError e) {
      Exit.printError(err, Exit.message(e));
      code = Exit.USAGE;
    }
    finished.set(true);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /**
   * The {@code maclip} command line with its sub-commands and error handling; tests run it with
   * {@code execute(...)} after {@code setOut}/{@code setErr}.
   *
   * @param terminal standard error is a terminal: redraw the progress counter in place
   * @param lister how folders are listed
   */
  static CommandLine commandLine(boolean terminal, Lister lister) {
    Exit exit = new Exit();
    CommandLine cli = new CommandLine(new MaclipCommand());
    cli.addSubcommand(new ScoreCommand(terminal, lister));
    cli.addSubcommand(new ReportCommand());
    cli.addSubcommand(new InfoCommand());
    cli.addSubcommand(new BenchCommand(lister, System.in));
    cli.setExecutionExceptionHandler(exit);
    cli.setParameterExceptionHandler(exit);
    return cli;
  }

  /** The {@code maclip} command line for this process's files and a non-terminal stderr. */
  static CommandLine commandLine() {
    return commandLine(false, Lister.FILES);
  }

  private static PrintWriter utf8(FileDescriptor fd) {
    return new PrintWriter(new BufferedWriter(
        new OutputStreamWriter(new FileOutputStream(fd), StandardCharsets.UTF_8)));
  }
}
