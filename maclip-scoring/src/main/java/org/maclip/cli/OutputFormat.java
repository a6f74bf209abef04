package org.maclip.cli;

import java.nio.file.Path;
import java.util.Locale;

/** How results are written. */
enum OutputFormat {
  /** Aligned columns for reading in a terminal (written at the end). */
  TABLE,
  /** RFC 4180 CSV, one row per image, flushed as each image finishes. */
  CSV,
  /** JSON Lines, one object per image, flushed as each image finishes; resumable. */
  JSONL,
  /** One JSON array. */
  JSON;

  /** The lower-case name used on the command line. */
  String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The format asked for, else the one {@code output}'s suffix names ({@code .csv}, {@code
   * .jsonl}/{@code .ndjson}, {@code .json}), else {@link #TABLE}.
   */
  static OutputFormat choose(OutputFormat requested, Path output) {
    if (requested != null) {
      return requested;
    }
    if (output == null) {
      return TABLE;
    }
    String name = output.getFileName() == null ? "" : output.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".csv")) {
      return CSV;
    }
    if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) {
      return JSONL;
    }
    if (lower.endsWith(".json")) {
      return JSON;
    }
    return TABLE;
  }
}
