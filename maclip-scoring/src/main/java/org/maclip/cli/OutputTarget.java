package org.maclip.cli;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Where results go: the {@code -o} file (UTF-8), or standard output when none or {@code -}. */
final class OutputTarget {
  private final Path file;
  private PrintWriter stdout;

  OutputTarget(Path output) {
    this.file = output == null || output.toString().equals("-") ? null : output;
  }

  /** The file, or null for standard output. */
  Path file() {
    return file;
  }

  /** The format asked for, else the one the file's suffix names, else a table. */
  OutputFormat format(OutputFormat requested) {
    return OutputFormat.choose(requested, file);
  }

  /**
   * Refuses a file that is a folder, and {@code --resume} without a JSON Lines file; makes the
   * file's folder. Called before anything is scored, so a mistake costs nothing.
   */
  void check(OutputFormat format, boolean resume) {
    if (resume && (file == null || format != OutputFormat.JSONL)) {
      throw new CliException("--resume needs a JSON Lines output file: -o results.jsonl");
    }
    if (file == null) {
      return;
    }
    if (Files.isDirectory(file)) {
      throw new CliException("-o " + file + " is a folder: name a file, e.g. -o "
          + file.resolve("results." + (format == OutputFormat.TABLE ? "txt" : format.id())));
    }
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new CliException("cannot create the folder of -o " + file + ": " + Exit.reason(e), e);
    }
  }

  /** Opens the file (appending when {@code append}), or hands out {@code out}. */
  Writer open(PrintWriter out, boolean append) {
    if (file == null) {
      stdout = out;
      return out;
    }
    StandardOpenOption mode =
        append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
    try {
      return new OutputStreamWriter(
          Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode),
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CliException("cannot write " + file + ": " + Exit.reason(e), e);
    }
  }

  /** True once standard output's reader has gone away (e.g. {@code maclip score ... | head}). */
  boolean closed() {
    return stdout != null && stdout.checkError();
  }

  /** Flushes standard output, or closes the file. */
  void finish(Writer writer) throws IOException {
    if (file == null) {
      writer.flush();
    } else {
      writer.close();
    }
  }

  /** {@link #finish} when an error is already on its way out: a second one would hide it. */
  void finishQuietly(Writer writer) {
    try {
      finish(writer);
    } catch (IOException e) {
      // the first failure is the one reported
    }
  }

  @Override
  public String toString() {
    return file == null ? "standard output" : file.toString();
  }
}
