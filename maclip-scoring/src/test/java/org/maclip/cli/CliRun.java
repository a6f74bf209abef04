package org.maclip.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** One in-process run of the {@code maclip} command line, with what it printed. */
record CliRun(int code, String out, String err) {
  /** Runs {@code maclip args...} with this process's files. */
  static CliRun of(String... args) {
    return with(Lister.FILES, args);
  }

  /** Runs {@code maclip args...} listing folders with {@code lister}. */
  static CliRun with(Lister lister, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.commandLine(false, lister)
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }

  /** Standard error's lines. */
  List<String> errLines() {
    return err.lines().toList();
  }

  /** The lines of standard error starting {@code maclip: error:}. */
  List<String> errorLines() {
    return err.lines().filter(l -> l.startsWith("maclip: error:")).toList();
  }

  @Override
  public String toString() {
    return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
  }
}
