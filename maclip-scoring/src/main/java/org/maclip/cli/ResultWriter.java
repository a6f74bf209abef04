package org.maclip.cli;

import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.util.function.Consumer;
import org.maclip.scoring.ScoreResult;

/** Writes results in one {@link OutputFormat}; {@link #close()} finishes the output. */
interface ResultWriter extends Closeable {
  /** Writes (or, for a table, keeps) one result. */
  void write(ScoreResult result) throws IOException;

  /** Finishes the output (table, closing bracket) and flushes; does not close the stream. */
  @Override
  void close() throws IOException;

  /** This writer, also handing each result to {@code also} once it is written. */
  default ResultWriter also(Consumer<ScoreResult> also) {
    ResultWriter self = this;
    return new ResultWriter() {
      @Override
      public void write(ScoreResult result) throws IOException {
        self.write(result);
        also.accept(result);
      }

      @Override
      public void close() throws IOException {
        self.close();
      }
    };
  }

  /**
   * A writer of {@code format} onto {@code out}; {@code views} adds per-view scores to JSON,
   * {@code columns} are those of tables and CSV.
   */
  static ResultWriter create(OutputFormat format, Writer out, boolean views, Columns columns)
      throws IOException {
    return switch (format) {
      case TABLE -> new TableWriter(out, columns);
      case CSV -> new CsvWriter(out, columns);
      case JSONL -> new JsonResultWriter(out, views, false);
      case JSON -> new JsonResultWriter(out, views, true);
    };
  }
}
