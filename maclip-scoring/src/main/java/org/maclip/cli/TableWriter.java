package org.maclip.cli;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.maclip.scoring.ScoreResult;

/**
 * Aligned columns for a terminal: scores with 4 decimals, numbers right-aligned, the error column
 * only when some image failed. Rows are kept until {@link #close()} (to size the columns), so long
 * runs should write CSV or JSON Lines instead.
 */
final class TableWriter implements ResultWriter {
  private final Writer out;
  private final Columns columns;
  private final List<List<String>> rows = new ArrayList<>();

  TableWriter(Writer out, Columns columns) {
    this.out = out;
    this.columns = columns;
  }

  @Override
  public void write(ScoreResult result) {
    List<String> cells = columns.cells(result, v -> String.format(Locale.ROOT, "%.4f", v));
    rows.add(cells.stream().map(Text::printable).toList());
  }

  @Override
  public void close() throws IOException {
    out.write(render(columns, rows));
    out.flush();
  }

  /** The table of {@code rows} (cells in {@code columns}' order), one line each. */
  static String render(Columns columns, List<List<String>> rows) {
    if (rows.isEmpty()) {
      return "(no images)\n";
    }
    int error = columns.errorIndex();
    boolean anyError = rows.stream().anyMatch(r -> !r.get(error).isEmpty());
    int shown = anyError ? error + 1 : error;
    List<List<String>> lines = new ArrayList<>(rows.size() + 1);
    lines.add(columns.names().stream().map(Text::printable).toList());
    lines.addAll(rows);
    int[] widths = new int[shown];
    for (List<String> line : lines) {
      for (int c = 0; c < shown; c++) {
        widths[c] = Math.max(widths[c], line.get(c).length());
      }
    }
    StringBuilder text = new StringBuilder();
    for (List<String> line : lines) {
      StringBuilder row = new StringBuilder();
      for (int c = 0; c < shown; c++) {
        if (c > 0) {
          row.append("  ");
        }
        boolean numeric = c >= Columns.FIRST_NUMBER && c < error;
        row.append(pad(line.get(c), widths[c], numeric));
      }
      text.append(row.toString().stripTrailing()).append('\n');
    }
    return text.toString();
  }

  private static String pad(String cell, int width, boolean right) {
    String space = " ".repeat(width - cell.length());
    return right ? space + cell : cell + space;
  }
}
