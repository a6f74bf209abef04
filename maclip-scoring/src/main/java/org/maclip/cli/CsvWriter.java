package org.maclip.cli;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import org.maclip.scoring.ScoreResult;

/** RFC 4180 CSV: a header, then one row per image (CRLF line ends), flushed as it is written. */
final class CsvWriter implements ResultWriter {
  private final Writer out;
  private final Columns columns;

  CsvWriter(Writer out, Columns columns) throws IOException {
    this.out = out;
    this.columns = columns;
    writeRow(columns.names());
    out.flush();
  }

  @Override
  public void write(ScoreResult result) throws IOException {
    writeRow(columns.cells(result, Double::toString));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.flush();
  }

  private void writeRow(List<String> cells) throws IOException {
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.write(quote(cells.get(i)));
    }
    out.write("\r\n");
  }

  /** A field as RFC 4180 writes it: quoted (quotes doubled) when it holds , " CR or LF. */
  static String quote(String field) {
    if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0
        && field.indexOf('\r') < 0) {
      return field;
    }
    return '"' + field.replace("\"", "\"\"") + '"';
  }
}
