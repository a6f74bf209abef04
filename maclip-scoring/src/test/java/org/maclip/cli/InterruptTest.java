package org.maclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C: a real {@code maclip} process gets SIGINT, exits 130 and keeps what it wrote. */
class InterruptTest {
  @TempDir Path dir;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void sigintExits130WithEveryFinishedLineWritten() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/bin/kill")), "needs /bin/kill");
    Path in = Files.createDirectories(dir.resolve("in"));
    Path first = TestImages.good(in.resolve("img0000.png"), 512, 384, 1);
    for (int i = 1; i < 3000; i++) {
      Files.createLink(in.resolve(String.format("img%04d.png", i)), first);
    }
    Path out = dir.resolve("r.jsonl");
    String bundle = Path.of(getClass().getResource("/golden/tinyrn").toURI()).toString();
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process = new ProcessBuilder(java.toString(), "-cp",
        System.getProperty("java.class.path"), Main.class.getName(), "score", in.toString(),
        "-m", bundle, "-o", out.toString(), "--threads", "1")
        .redirectError(dir.resolve("err.txt").toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    while (process.isAlive() && lines(out) < 3) {
      Thread.sleep(20);
    }
    assertTrue(process.isAlive(), "the run ended before it could be interrupted");
    new ProcessBuilder("/bin/kill", "-INT", Long.toString(process.pid())).start().waitFor();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS));
    String err = Files.readString(dir.resolve("err.txt"));
    assertEquals(Exit.INTERRUPTED, process.exitValue(), err);
    assertTrue(err.contains("maclip: error: interrupted"), err);
    List<String> written = Files.readAllLines(out);
    assertTrue(written.size() >= 3 && written.size() < 3000, "lines: " + written.size());
    ObjectMapper json = new ObjectMapper();
    for (String line : written.subList(0, written.size() - 1)) {
      assertTrue(json.readTree(line).get("q").isNumber(), line);
    }
    ResumeLog.State state = ResumeLog.read(out);
    assertTrue(state.done().size() >= written.size() - 1, state.toString());
  }

  private static long lines(Path file) throws Exception {
    return Files.exists(file) ? Files.readAllLines(file).size() : 0;
  }
}
