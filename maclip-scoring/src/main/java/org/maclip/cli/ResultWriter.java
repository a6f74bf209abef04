package org.maclip.cli;

import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import org.maclip.scoring.ScoreResult;

/** Writes results in one {@link OutputFormat}; {@link #close()} finishes the output. */
interface ResultWriter extends Closeable {
  /** Writes (or, for a table, keeps) one result. */
  void write(ScoreResult result) throws IOException;

  /** Finishes the output (table, closing bracket) and flushes; does not close the stream. */
  @Override
  void close() throws IOException;

  /** A writer of {@code format} onto {@code out}; {@code views} adds per-view scores to JSON. */
  static ResultWriter create(OutputFormat format, Writer out, boolean views) throws IOException {
    return switch (format) {
      case TABLE -> new TableWriter(out);
      case CSV -> new CsvWriter(out);
      case JSONL -> new JsonResultWriter(out, views, false);
      case JSON -> new JsonResultWriter(out, views, true);
    };
  }
}
