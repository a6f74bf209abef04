package org.maclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResumeLogTest {
  @TempDir Path dir;

  private Path image(String name) throws Exception {
    return Files.writeString(dir.resolve(name), "x");
  }

  private static String line(Path path, String error) {
    return "{\"path\":\"" + path + "\",\"q\":0.5,\"error\":"
        + (error == null ? "null" : "\"" + error + "\"") + "}\n";
  }

  @Test
  void missingFileHoldsNothing() throws Exception {
    assertEquals(Set.of(), ResumeLog.read(dir.resolve("none.jsonl")).done());
  }

  @Test
  void halfWrittenLastLineIsCutOff() throws Exception {
    Path a = image("a.png");
    Path b = image("b.png");
    String good = line(a, null) + line(b, null);
    Path file = Files.writeString(dir.resolve("r.jsonl"), good + "{\"path\":\"" + dir + "/c.p");
    ResumeLog.State state = ResumeLog.read(file);
    assertEquals(Set.of(PathKeys.key(a), PathKeys.key(b)), state.done());
    assertEquals(1, state.dropped());
    assertEquals(good, Files.readString(file));
  }

  @Test
  void completeLastLineWithoutNewlineIsAlsoCutOff() throws Exception {
    Path a = image("a.png");
    Path file = Files.writeString(dir.resolve("r.jsonl"), line(a, null).strip());
    assertEquals(Set.of(), ResumeLog.read(file).done());
    assertEquals("", Files.readString(file));
  }

  @Test
  void failedRowsAreDroppedSoTheyAreTriedAgain() throws Exception {
    Path a = image("a.png");
    Path b = image("b.png");
    Path file = Files.writeString(dir.resolve("r.jsonl"),
        line(a, "truncated") + "not json\n" + line(b, null) + line(b, null));
    ResumeLog.State state = ResumeLog.read(file);
    assertEquals(Set.of(PathKeys.key(b)), state.done());
    assertEquals(3, state.dropped());
    assertEquals(line(b, null), Files.readString(file, StandardCharsets.UTF_8));
  }

  @Test
  void untouchedWhenEveryLineIsGood() throws Exception {
    Path a = image("a.png");
    Path file = Files.writeString(dir.resolve("r.jsonl"), line(a, null));
    long modified = Files.getLastModifiedTime(file).toMillis();
    assertEquals(0, ResumeLog.read(file).dropped());
    assertEquals(modified, Files.getLastModifiedTime(file).toMillis());
  }

  @Test
  void pathsMatchWhateverWayTheyWereWritten() throws Exception {
    Path real = Files.createDirectories(dir.resolve("real"));
    Path a = Files.writeString(real.resolve("a.png"), "x");
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);
    Path relative = Path.of("").toAbsolutePath().relativize(a);
    Path file = Files.writeString(dir.resolve("r.jsonl"),
        line(relative, null) + line(link.resolve("./a.png"), null));
    ResumeLog.State state = ResumeLog.read(file);
    assertEquals(Set.of(PathKeys.key(a)), state.done());
    assertEquals(PathKeys.key(a), PathKeys.key(link.resolve("../link/./a.png")));
    assertTrue(PathKeys.key(a).endsWith("real/a.png"));
  }
}
