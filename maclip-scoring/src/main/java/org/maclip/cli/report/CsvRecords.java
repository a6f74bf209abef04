package org.maclip.cli.report;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/** Reads RFC 4180 CSV record by record: quoted fields may hold commas, quotes and line breaks. */
final class CsvRecords {
  private final Reader in;
  private final String name;
  private int line = 1;
  private int recordLine;

  /** Reads {@code in}; {@code name} names the file in errors. */
  CsvRecords(Reader in, String name) {
    this.in = in;
    this.name = name;
  }

  /** The line the last record returned started on. */
  int recordLine() {
    return recordLine;
  }

  /** The next record's fields, or null at the end. */
  List<String> next() throws IOException {
    int c = read();
    while (c == '\r' || c == '\n') {
      c = read();
    }
    if (c < 0) {
      return null;
    }
    recordLine = line;
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    while (true) {
      if (c == '"' && field.isEmpty()) {
        c = quoted(field);
      }
      if (c < 0 || c == '\n' || c == '\r') {
        fields.add(field.toString());
        return fields;
      }
      if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else if (c == '"') {
        throw new ReportException(name + ":" + line + ": a quote inside an unquoted CSV field");
      } else {
        field.append((char) c);
      }
      c = read();
    }
  }

  /** Reads a quoted field's content after its opening quote; returns the character after it. */
  private int quoted(StringBuilder field) throws IOException {
    int start = line;
    while (true) {
      int c = read();
      if (c < 0) {
        throw new ReportException(name + ":" + start + ": a quoted CSV field is never closed");
      }
      if (c == '"') {
        int after = read();
        if (after != '"') {
          if (after >= 0 && after != ',' && after != '\n' && after != '\r') {
            throw new ReportException(name + ":" + line + ": text after a closing quote in CSV");
          }
          return after;
        }
      }
      field.append((char) c);
    }
  }

  private int read() throws IOException {
    int c = in.read();
    if (c == '\n') {
      line++;
    }
    return c;
  }
}
