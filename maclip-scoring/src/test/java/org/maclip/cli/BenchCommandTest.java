package org.maclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.FilterWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.Scorer;
import org.maclip.scoring.ScorerOptions;
import picocli.CommandLine;

/** {@code maclip bench} on the tiny ResNet bundle (random weights). */
class BenchCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static String bundle;

  @TempDir Path dir;

  @BeforeAll
  static void findBundle() throws Exception {
    bundle = Path.of(BenchCommandTest.class.getResource("/golden/tinyrn").toURI()).toString();
  }

  @Test
  void jsonHasEveryRoundTheBestRateAndTheLibrarysScores() throws Exception {
    Path a = TestImages.good(dir.resolve("a.png"), 300, 250, 1);
    Path b = TestImages.good(dir.resolve("b.png"), 500, 240, 2);
    CliRun run = CliRun.of("bench", a.toString(), b.toString(), "-m", bundle, "--rounds", "3",
        "--threads", "1", "--batch-size", "5", "--lam", "0.25", "--json");
    assertEquals(Exit.OK, run.code(), run.toString());
    assertEquals("", run.err(), run.toString());
    JsonNode report = JSON.readTree(run.out());
    assertEquals(1, report.get("threads").asInt());
    assertEquals(5, report.get("batch_size").asInt());
    assertEquals("cpu", report.get("device").asText());
    assertEquals(2, report.get("images").asInt());
    JsonNode rounds = report.get("round_seconds");
    assertEquals(3, rounds.size());
    double best = Double.MAX_VALUE;
    for (JsonNode round : rounds) {
      assertTrue(round.asDouble() > 0, report.toString());
      best = Math.min(best, round.asDouble());
    }
    assertEquals(best, report.get("best_seconds").asDouble());
    assertEquals(2 / best, report.get("images_per_second").asDouble(), 1e-9 * 2 / best);
    assertTrue(report.get("load_seconds").asDouble() > 0, report.toString());
    assertTrue(report.get("warm_up_seconds").asDouble() > 0, report.toString());

    ScorerOptions options = ScorerOptions.defaults().withParams(
        new org.maclip.scoring.FusionParams(0.25, 1.0, 1.0, 0.6));
    try (Scorer scorer = Scorer.open(Path.of(bundle), options)) {
      List<ScoreResult> expected = scorer.scoreAll(
          List.of(org.maclip.scoring.ImageInput.of(a), org.maclip.scoring.ImageInput.of(b)));
      int views = expected.get(0).viewCount() + expected.get(1).viewCount();
      assertEquals(views, report.get("views").asInt());
      assertEquals(views / best, report.get("views_per_second").asDouble(), 1e-9 * views / best);
      JsonNode results = report.get("results");
      assertEquals(2, results.size());
      for (int i = 0; i < 2; i++) {
        assertEquals(List.of(a, b).get(i).toString(), results.get(i).get("path").asText());
        assertEquals(expected.get(i).q(), results.get(i).get("q").asDouble(), 1e-12);
        assertEquals(expected.get(i).viewCount(), results.get(i).get("views").asInt());
      }
    }
  }

  @Test
  void textListsTheRoundsAndEachImage() throws Exception {
    Path a = TestImages.good(dir.resolve("in/a.png"), 260, 230, 3);
    CliRun run = CliRun.of("bench", dir.resolve("in").toString(), "-m", bundle, "--rounds", "2");
    assertEquals(Exit.OK, run.code(), run.toString());
    List<String> lines = run.out().lines().toList();
    assertTrue(lines.get(1).startsWith("images: 1, "), run.toString());
    assertTrue(lines.get(3).startsWith("round 1: "), run.toString());
    assertTrue(lines.get(4).startsWith("round 2: "), run.toString());
    assertTrue(lines.get(5).startsWith("best: "), run.toString());
    assertTrue(lines.get(6).endsWith(" " + a), run.toString());
    assertEquals(7, lines.size(), run.toString());
  }

  @Test
  void anImageThatCannotBeScoredStopsTheBenchmarkWithItsName() throws Exception {
    Path good = TestImages.good(dir.resolve("a.png"), 260, 230, 3);
    Path bad = TestImages.truncated(dir.resolve("b.png"));
    CliRun run = CliRun.of("bench", good.toString(), bad.toString(), "-m", bundle);
    assertEquals(Exit.USAGE, run.code(), run.toString());
    assertEquals(1, run.errorLines().size(), run.toString());
    assertTrue(run.errorLines().get(0).startsWith("maclip: error: cannot benchmark " + bad + ": "),
        run.toString());
    assertEquals("", run.out(), run.toString());
  }

  @Test
  void roundsMustBePositiveAndTheModelIsRequired() throws Exception {
    Path a = TestImages.good(dir.resolve("a.png"), 260, 230, 3);
    CliRun zero = CliRun.of("bench", a.toString(), "-m", bundle, "--rounds", "0");
    assertEquals(Exit.USAGE, zero.code(), zero.toString());
    assertTrue(zero.err().contains("must be at least 1"), zero.toString());
    CliRun noModel = CliRun.of("bench", a.toString());
    assertEquals(Exit.USAGE, noModel.code(), noModel.toString());
    assertTrue(noModel.err().contains("--model"), noModel.toString());
  }

  @Test
  void pacedWaitsForEachGoAheadAndLeavesTheWaitsOutOfTheTimes() throws Exception {
    Path a = TestImages.good(dir.resolve("a.png"), 260, 230, 3);
    PipedOutputStream driver = new PipedOutputStream();
    PipedInputStream in = new PipedInputStream(driver);
    Semaphore announced = new Semaphore(0);
    StringWriter err = new StringWriter();
    Writer announcing = new FilterWriter(err) {
      @Override
      public void write(String text, int offset, int length) throws IOException {
        super.write(text, offset, length);
        if (text.substring(offset, offset + length).contains("bench: ")) {
          announced.release();
        }
      }
    };
    Thread feeder = new Thread(() -> {
      try {
        for (int step = 0; step < 3; step++) { // before the warm-up and before each round
          announced.acquire();
          Thread.sleep(200);
          driver.write("go\n".getBytes(StandardCharsets.UTF_8));
          driver.flush();
        }
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    feeder.start();
    StringWriter out = new StringWriter();
    int code = bench(in, out, announcing, a.toString(), "-m", bundle, "--rounds", "2",
        "--paced", "--json");
    feeder.join(10_000);
    assertEquals(Exit.OK, code, err.toString());
    List<String> steps = err.toString().lines().toList();
    assertEquals(4, steps.size(), err.toString());
    assertTrue(steps.get(0).matches("bench: ready \\d+\\.\\d{3} s"), err.toString());
    assertTrue(steps.get(1).matches("bench: warm-up \\d+\\.\\d{3} s"), err.toString());
    assertTrue(steps.get(2).matches("bench: round 1 \\d+\\.\\d{3} s"), err.toString());
    assertTrue(steps.get(3).matches("bench: round 2 \\d+\\.\\d{3} s"), err.toString());
    JsonNode report = JSON.readTree(out.toString());
    assertTrue(report.get("waited_seconds").asDouble() >= 0.55, report.toString());
  }

  @Test
  void pacedStopsWithOneLineWhenTheDriverGoesAway() throws Exception {
    Path a = TestImages.good(dir.resolve("a.png"), 260, 230, 3);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    InputStream oneLine = new ByteArrayInputStream("go\n".getBytes(StandardCharsets.UTF_8));
    int code = bench(oneLine, out, err, a.toString(), "-m", bundle, "--paced");
    assertEquals(Exit.USAGE, code, err.toString());
    assertEquals(List.of("bench: ready", "bench: warm-up",
        "maclip: error: --paced: standard input ended before the benchmark did"),
        err.toString().lines().map(l -> l.replaceAll(" [0-9.]+ s$", "")).toList());
    assertEquals("", out.toString());
  }

  /** Runs {@code maclip bench args...} reading go-ahead lines from {@code in}. */
  private static int bench(InputStream in, Writer out, Writer err, String... args) {
    Exit exit = new Exit();
    return new CommandLine(new BenchCommand(Lister.FILES, in))
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .setExecutionExceptionHandler(exit)
        .setParameterExceptionHandler(exit)
        .execute(args);
  }
}
