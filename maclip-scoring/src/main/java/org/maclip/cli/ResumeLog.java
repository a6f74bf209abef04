package org.maclip.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * The images a JSON Lines results file already holds, for {@code --resume}. Reading it also tidies
 * it for appending: a half-written last line is cut off; rows of failed images (they are tried
 * again), repeated rows and unreadable lines are dropped. Images are identified by the normalised
 * absolute real path of their {@code path} (relative paths taken from the current folder), so the
 * same file named another way is not scored twice.
 */
final class ResumeLog {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the file held: the keys already scored, and the lines dropped while tidying it. */
  record State(Set<String> done, int dropped) {}

  private ResumeLog() {}

  /** Reads (and tidies) {@code file}; a file that does not exist holds nothing. */
  static State read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return new State(Set.of(), 0);
    }
    Set<String> done = new HashSet<>();
    Set<Integer> droppedLines = new HashSet<>();
    long keptEnd = 0;
    boolean keptAfterDrop = false;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      long offset = 0;
      int index = 0;
      for (byte[] line = readLine(in); line != null; line = readLine(in), index++) {
        offset += line.length;
        boolean complete = line[line.length - 1] == '\n';
        String key = complete ? scoredKey(line) : null;
        if (key != null && done.add(key)) {
          keptEnd = offset;
          keptAfterDrop |= !droppedLines.isEmpty();
        } else {
          droppedLines.add(index);
        }
      }
    }
    if (keptAfterDrop) {
      rewrite(file, droppedLines);
    } else if (!droppedLines.isEmpty()) {
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
        channel.truncate(keptEnd);
      }
    }
    return new State(done, droppedLines.size());
  }

  /** The key of a complete line holding a scored image, else null. */
  private static String scoredKey(byte[] line) {
    try {
      JsonNode record = JSON.readTree(new String(line, StandardCharsets.UTF_8));
      JsonNode path = record == null ? null : record.get("path");
      JsonNode error = record == null ? null : record.get("error");
      if (path == null || !path.isTextual() || error != null && !error.isNull()) {
        return null;
      }
      return PathKeys.key(path.asText());
    } catch (IOException e) {
      return null;
    }
  }

  /** Rewrites {@code file} without the lines numbered in {@code dropped}. */
  private static void rewrite(Path file, Set<Integer> dropped) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file));
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
      int index = 0;
      for (byte[] line = readLine(in); line != null; line = readLine(in), index++) {
        if (!dropped.contains(index)) {
          out.write(line);
        }
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The next line with its {@code \n} (the last may lack it), or null at the end. */
  private static byte[] readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    int b;
    while ((b = in.read()) >= 0) {
      line.write(b);
      if (b == '\n') {
        break;
      }
    }
    return line.size() == 0 ? null : line.toByteArray();
  }
}
