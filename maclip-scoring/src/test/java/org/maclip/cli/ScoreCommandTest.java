package org.maclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maclip.scoring.Machine;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.Scorer;

/** {@code maclip score} end to end on the tiny ResNet bundle (random weights). */
class ScoreCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static String bundle;

  @TempDir Path dir;

  @BeforeAll
  static void findBundle() throws Exception {
    bundle = Path.of(ScoreCommandTest.class.getResource("/golden/tinyrn").toURI()).toString();
  }

  private static List<JsonNode> jsonLines(Path file) throws Exception {
    List<JsonNode> rows = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      rows.add(JSON.readTree(line));
    }
    return rows;
  }

  private static Map<String, JsonNode> byName(List<JsonNode> rows) {
    Map<String, JsonNode> out = new HashMap<>();
    for (JsonNode row : rows) {
      out.put(Path.of(row.get("path").asText()).getFileName().toString(), row);
    }
    return out;
  }

  private static void assertNoStackTrace(CliRun run) {
    assertFalse(run.err().contains("Exception"), run.toString());
    assertFalse(run.err().contains("\tat "), run.toString());
  }

  @Test
  void csvRowsAreTheLibrarysScores() throws Exception {
    Path a = TestImages.good(dir.resolve("in/a.png"), 300, 250, 1);
    Path b = TestImages.good(dir.resolve("in/b.png"), 230, 240, 2);
    Path csv = dir.resolve("out/r.csv");
    CliRun run = CliRun.of("score", dir.resolve("in").toString(), "-m", bundle, "-o",
        csv.toString(), "--batch-size", "3");
    assertEquals(Exit.OK, run.code(), run.toString());
    assertEquals(List.of("scored 2 of 2 images; 0 failed"), run.errLines());
    List<String> rows = Files.readAllLines(csv);
    assertEquals("path,q,q_sim,q_mag,w_sim,w_mag,views,width,height,error", rows.get(0));
    assertEquals(3, rows.size());
    try (Scorer scorer = Scorer.open(Path.of(bundle), org.maclip.scoring.ScorerOptions.defaults())) {
      for (int i = 0; i < 2; i++) {
        ScoreResult expected = scorer.score(List.of(a, b).get(i));
        String[] cells = rows.get(i + 1).split(",", -1);
        assertEquals(List.of(a, b).get(i).toString(), cells[0]);
        assertEquals(expected.q(), Double.parseDouble(cells[1]), 1e-9);
        assertEquals(expected.qSim(), Double.parseDouble(cells[2]), 1e-9);
        assertEquals(expected.qMag(), Double.parseDouble(cells[3]), 1e-9);
        assertEquals(expected.viewCount(), Integer.parseInt(cells[6]));
        assertEquals(expected.width(), Integer.parseInt(cells[7]));
        assertEquals("", cells[9]);
      }
    }
  }

  @Test
  void tableOnStandardOutputByDefault() throws Exception {
    TestImages.good(dir.resolve("a.png"), 224, 224, 1);
    CliRun run = CliRun.of("score", dir.resolve("a.png").toString(), "-m", bundle, "-q");
    assertEquals(Exit.OK, run.code(), run.toString());
    assertEquals("", run.err());
    List<String> lines = run.out().lines().toList();
    assertEquals(2, lines.size(), run.out());
    assertTrue(lines.get(0).matches("path +q +q_sim +q_mag +w_sim +w_mag +views +width +height"),
        lines.get(0));
    assertTrue(lines.get(1).matches(".*a\\.png +0\\.\\d{4} .* 2 +224 +224"), lines.get(1));
  }

  @Test
  void everyBadInputFailsAloneWithOneLineAndTheGoodImagesAreWritten() throws Exception {
    Path in = Files.createDirectories(dir.resolve("in"));
    TestImages.good(in.resolve("good1.png"), 260, 230, 1);
    TestImages.good(in.resolve("good2.png"), 150, 100, 2);
    TestImages.zeroBytes(in.resolve("zero.png"));
    TestImages.truncated(in.resolve("truncated.png"));
    TestImages.corruptHeader(in.resolve("corrupt.png"));
    TestImages.textNamedPng(in.resolve("text.png"));
    TestImages.thin(in.resolve("thin.png"));
    Path missing = in.resolve("missing.png");
    Path out = dir.resolve("r.jsonl");
    CliRun run = CliRun.of("score", in.toString(), missing.toString(), "-m", bundle, "-o",
        out.toString());
    assertEquals(Exit.SOME_FAILED, run.code(), run.toString());
    assertNoStackTrace(run);
    Map<String, JsonNode> rows = byName(jsonLines(out));
    assertEquals(8, rows.size());
    for (String good : List.of("good1.png", "good2.png")) {
      assertTrue(rows.get(good).get("error").isNull(), rows.get(good).toString());
      assertTrue(rows.get(good).get("q").isNumber());
    }
    List<String> bad =
        List.of("zero.png", "truncated.png", "corrupt.png", "text.png", "thin.png", "missing.png");
    for (String name : bad) {
      JsonNode row = rows.get(name);
      assertTrue(row.get("q").isNull(), row.toString());
      String reason = row.get("error").asText();
      assertFalse(reason.isBlank(), name);
      Path path = Path.of(row.get("path").asText());
      assertEquals(1, run.errLines().stream()
          .filter(l -> l.equals("error: " + path + ": " + reason)).count(), run.toString());
    }
    assertTrue(rows.get("thin.png").get("error").asText().contains("pixels"),
        rows.get("thin.png").toString());
    assertEquals("scored 2 of 8 images; 6 failed", run.errLines().get(run.errLines().size() - 1));
    assertEquals(6, run.errLines().stream().filter(l -> l.startsWith("error: ")).count());
  }

  @Test
  void jsonLinesWithViewsAndJsonArray() throws Exception {
    Path a = TestImages.good(dir.resolve("a.png"), 300, 250, 1);
    Path out = dir.resolve("r.jsonl");
    assertEquals(Exit.OK, CliRun.of("score", a.toString(), "-m", bundle, "-o", out.toString(),
        "--views", "-q").code());
    JsonNode row = jsonLines(out).get(0);
    JsonNode views = row.get("view_scores");
    assertEquals(row.get("views").asInt(), views.size());
    assertTrue(views.get(views.size() - 1).get("is_global").asBoolean());
    double mean = 0;
    for (JsonNode v : views) {
      mean += v.get("q").asDouble() / views.size();
    }
    assertEquals(row.get("q").asDouble(), mean, 1e-6);

    CliRun json = CliRun.of("score", a.toString(), "-m", bundle, "--format", "json", "-q");
    JsonNode array = JSON.readTree(json.out());
    assertTrue(array.isArray());
    assertEquals(row.get("q").asDouble(), array.get(0).get("q").asDouble(), 1e-12);
    assertFalse(array.get(0).has("view_scores"));
  }

  @Test
  void stopsQuietlyWhenStandardOutputIsClosed() throws Exception {
    for (int i = 0; i < 3; i++) {
      TestImages.good(dir.resolve("img" + i + ".png"), 224, 224, i);
    }
    int[] writes = {0};
    Writer closedPipe = new Writer() {
      @Override
      public void write(char[] buffer, int offset, int length) throws IOException {
        writes[0]++;
        throw new IOException("Broken pipe");
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    StringWriter err = new StringWriter();
    int code = Main.commandLine().setOut(new PrintWriter(closedPipe))
        .setErr(new PrintWriter(err, true))
        .execute("score", dir.toString(), "-m", bundle, "--format", "jsonl");
    assertEquals(Exit.OK, code, err.toString());
    assertEquals(1, writes[0], "stopped after the first result");
    assertEquals("", err.toString());
  }

  @Test
  void formatOptionBeatsTheSuffix() throws Exception {
    Path a = TestImages.good(dir.resolve("a.png"), 224, 224, 1);
    Path out = dir.resolve("r.txt");
    assertEquals(Exit.OK, CliRun.of("score", a.toString(), "-m", bundle, "-o", out.toString(),
        "--format", "jsonl", "-q").code());
    assertEquals(a.toString(), JSON.readTree(Files.readString(out)).get("path").asText());
  }

  @Test
  void resumeSkipsTheSameFilesNamedAnotherWayAndCutsATornLine() throws Exception {
    Path in = Files.createDirectories(dir.resolve("in"));
    for (int i = 0; i < 3; i++) {
      TestImages.good(in.resolve("img" + i + ".png"), 230, 230, i);
    }
    Path out = dir.resolve("r.jsonl");
    Path relative = Path.of("").toAbsolutePath().relativize(in);
    CliRun first = CliRun.of("score", relative.toString(), "-m", bundle, "-o", out.toString());
    assertEquals(Exit.OK, first.code(), first.toString());
    String scored = Files.readString(out);
    assertEquals(3, scored.lines().count());
    Files.writeString(out, scored + "{\"path\": \"" + in + "/img9.p");

    CliRun again = CliRun.of("score", in.toString(), "-m", bundle, "-o", out.toString(),
        "--resume");
    assertEquals(Exit.OK, again.code(), again.toString());
    assertTrue(again.err().contains("resuming: 3 of 3 images already scored in " + out),
        again.toString());
    assertTrue(again.err().contains("nothing left to score"), again.toString());
    assertEquals(scored, Files.readString(out));

    TestImages.good(in.resolve("img3.png"), 240, 230, 3);
    CliRun more = CliRun.of("score", in + "/../in", "-m", bundle, "-o", out.toString(),
        "--resume");
    assertEquals(Exit.OK, more.code(), more.toString());
    assertTrue(more.err().contains("resuming: 3 of 4 images already scored"), more.toString());
    assertTrue(more.err().contains("scored 1 of 1 images; 0 failed"), more.toString());
    List<JsonNode> rows = jsonLines(out);
    assertEquals(4, rows.size());
    assertEquals(4, byName(rows).size());
    assertTrue(Files.readString(out).startsWith(scored));
  }

  @Test
  void doubleStarPatternWithLinkLoopsScoresEachFileOnce() throws Exception {
    TestImages.good(dir.resolve("a.png"), 224, 224, 1);
    TestImages.good(dir.resolve("x/b.png"), 224, 224, 2);
    Files.createSymbolicLink(dir.resolve("x/loop"), dir);
    Files.createSymbolicLink(dir.resolve("x/loop2"), dir.resolve("x"));
    CliRun run = CliRun.of("score", dir + "/**/*.png", "-m", bundle, "--format", "csv", "-q");
    assertEquals(Exit.OK, run.code(), run.toString());
    assertEquals(3, run.out().lines().count(), run.out());
  }

  @Test
  void fileNamesThatAreNotUtf8DoNotBreakOutput() throws Exception {
    Path in = Files.createDirectories(dir.resolve("in"));
    TestImages.good(in.resolve("a.png"), 224, 224, 1);
    Process copy = new ProcessBuilder("sh", "-c", "cp \"$1/a.png\" \"$1/$(printf 'b\\377.png')\"",
        "sh", in.toString()).inheritIO().start();
    assertEquals(0, copy.waitFor());
    for (String format : List.of("csv", "jsonl", "table", "json")) {
      CliRun run = CliRun.of("score", in.toString(), "-m", bundle, "--format", format, "-q");
      assertEquals(Exit.OK, run.code(), run.toString());
      assertTrue(run.out().contains("b\uFFFD.png"), run.out());
    }
  }

  @Test
  void fusionOptionsReachTheScores() throws Exception {
    Path a = TestImages.good(dir.resolve("a.png"), 224, 224, 1);
    JsonNode plain = scoreOne(a);
    JsonNode lam = scoreOne(a, "--lam", "0.25");
    JsonNode clip = scoreOne(a, "--method", "clipiqa");
    assertNotEquals(plain.get("q_mag").asDouble(), lam.get("q_mag").asDouble());
    assertEquals(plain.get("q_sim").asDouble(), lam.get("q_sim").asDouble(), 1e-12);
    assertEquals(clip.get("q_sim").asDouble(), clip.get("q").asDouble(), 1e-12);
    JsonNode alpha = scoreOne(a, "--alpha", "3", "--b-sim", "0", "--b-mag", "0");
    assertNotEquals(plain.get("w_sim").asDouble(), alpha.get("w_sim").asDouble());
  }

  private JsonNode scoreOne(Path image, String... options) throws Exception {
    List<String> args = new ArrayList<>(List.of("score", image.toString(), "-m", bundle,
        "--format", "jsonl", "-q"));
    args.addAll(List.of(options));
    CliRun run = CliRun.of(args.toArray(String[]::new));
    assertEquals(Exit.OK, run.code(), run.toString());
    return JSON.readTree(run.out());
  }

  @Test
  void missingOrBrokenBundleIsAModelError() throws Exception {
    Path a = TestImages.good(dir.resolve("a.png"), 224, 224, 1);
    Path none = dir.resolve("nothing-here");
    CliRun missing = CliRun.of("score", a.toString(), "-m", none.toString());
    assertEquals(Exit.USAGE, missing.code(), missing.toString());
    assertEquals(List.of("maclip: error: model bundle " + none + ": no such directory or file"),
        missing.errLines());
    Path broken = Files.createDirectories(dir.resolve("broken"));
    Files.writeString(broken.resolve("maclip.json"), "{not json");
    CliRun bad = CliRun.of("score", a.toString(), "-m", broken.toString());
    assertEquals(Exit.USAGE, bad.code(), bad.toString());
    assertEquals(1, bad.errLines().size(), bad.toString());
    assertTrue(bad.err().startsWith("maclip: error: model bundle " + broken + ": "), bad.err());
    CliRun info = CliRun.of("info", "-m", none.toString());
    assertEquals(Exit.USAGE, info.code(), info.toString());
  }

  @Test
  void infoPrintsTheBundlesMetadata() {
    CliRun run = CliRun.of("info", "-m", bundle);
    assertEquals(Exit.OK, run.code(), run.toString());
    assertTrue(run.out().contains("backbone: TinyRN (resnet)"), run.out());
    assertTrue(run.out().contains("pretrained: random  (random weights"), run.out());
    assertTrue(run.out().contains("embed_dim: 32"), run.out());
    assertTrue(run.out().contains("  Good image / bad image"), run.out());
    assertTrue(run.out().contains("(file verified by its crc32; sha256 not verified"), run.out());
    assertTrue(run.out().contains("precision: fp32"), run.out());
  }

  @Test
  void infoVerifiesAndRecordsTheSha256OnRequest() throws Exception {
    Path copy = dir.resolve("tinyrn");
    Files.createDirectory(copy);
    for (String name : org.maclip.scoring.Bundle.FILES) {
      Files.copy(Path.of(bundle).resolve(name), copy.resolve(name));
    }
    CliRun plain = CliRun.of("info", "-m", copy.toString());
    assertTrue(plain.out().contains("; sha256 not verified: --verify does it)"), plain.out());
    CliRun wrong = CliRun.of("info", "-m", copy.toString(), "--sha256", "ab".repeat(32));
    assertEquals(Exit.USAGE, wrong.code(), wrong.toString());
    assertEquals(1, wrong.errLines().size(), wrong.toString());
    assertTrue(wrong.err().contains(", not the expected " + "ab".repeat(32)), wrong.err());
    CliRun verified = CliRun.of("info", "-m", copy.toString(), "--verify");
    assertEquals(Exit.OK, verified.code(), verified.toString());
    assertTrue(verified.out().contains("; sha256 verified where the bundle arrived"
        + " (sha256.verified))"), verified.out());
    assertTrue(Files.isRegularFile(copy.resolve("sha256.verified")));
  }

  @Test
  void infoPrintsAnInt8BundlesFidelity() {
    CliRun run = CliRun.of("info", "-m", Path.of(bundle).resolveSibling("tinyrn-int8").toString());
    assertEquals(Exit.OK, run.code(), run.toString());
    assertTrue(run.out().contains("precision: int8"), run.out());
    assertTrue(run.out().contains("int8 vs fp32: on 28 held-out images (112 views): smallest view "
        + "cosine 0.983289, largest |dQ| 0.0834125, Spearman of Q 0.858785"), run.out());
    assertTrue(run.out().contains("self-check: 2 views computed on x86_64, "), run.out());
    assertTrue(run.out().contains("; here (" + Machine.describe() + ") Q within "), run.out());
  }

  /** A bundle this machine computes differently is a model error: exit 2, one line. */
  @Test
  void aBundleFailingItsSelfCheckIsAModelError() throws Exception {
    Path copy = Files.createDirectories(dir.resolve("off"));
    Path source = Path.of(bundle);
    for (String name : org.maclip.scoring.Bundle.FILES) {
      Files.copy(source.resolve(name), copy.resolve(name));
    }
    ObjectMapper json = new ObjectMapper();
    JsonNode manifest = json.readTree(copy.resolve("maclip.json").toFile());
    var q = (com.fasterxml.jackson.databind.node.ArrayNode) manifest.get("self_check").get("q");
    q.set(0, q.get(0).asDouble() + 0.5);
    json.writeValue(copy.resolve("maclip.json").toFile(), manifest);
    Path a = TestImages.good(dir.resolve("a.png"), 224, 224, 1);
    for (String[] args : List.of(new String[] {"score", a.toString(), "-m", copy.toString()},
        new String[] {"info", "-m", copy.toString()})) {
      CliRun run = CliRun.of(args);
      assertEquals(Exit.USAGE, run.code(), run.toString());
      assertEquals(1, run.errLines().size(), run.toString());
      assertTrue(run.err().startsWith("maclip: error: model bundle " + copy + ": this machine "
          + "computes the model differently"), run.err());
      assertEquals("", run.out(), "no result");
    }
  }

  @Test
  void anImageOverThePixelLimitNamesTheFlag() throws Exception {
    Path image = Path.of(ScoreCommandTest.class.getResource("/golden/images/rgb_150x100.png").toURI());
    CliRun run = CliRun.of("score", "--model", bundle, "--max-pixels", "10000", image.toString());
    assertEquals(Exit.SOME_FAILED, run.code(), run.toString());
    assertTrue(
        run.err().contains("150x100 = 15000 pixels is over the limit of 10000"
            + " (decompression-bomb guard); raise it with --max-pixels"),
        run.toString());
  }

  /**
   * A decoder missing from the class path (TwelveMonkeys left out, as a hand-made class path or a
   * plugin jar might) is a set-up error: exit 2 and one line, not a "corrupt image" per file.
   */
  @Test
  void aMissingDecoderIsASetupErrorNotACorruptImage() throws Exception {
    String classPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    String withoutDecoders = java.util.Arrays.stream(classPath.split(java.io.File.pathSeparator))
        .filter(entry -> !entry.contains("twelvemonkeys"))
        .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    assertNotEquals(classPath, withoutDecoders, "TwelveMonkeys is not on the test class path");
    Path image = Path.of(ScoreCommandTest.class.getResource("/golden/images/rgb_150x100.png").toURI());
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process = new ProcessBuilder(java.toString(), "-cp", withoutDecoders,
        Main.class.getName(), "score", "--model", bundle, image.toString(), image.toString())
        .redirectErrorStream(false)
        .start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes());
    String err = new String(process.getErrorStream().readAllBytes());
    int code = process.waitFor();
    CliRun run = new CliRun(code, out, err);
    assertEquals(Exit.USAGE, code, run.toString());
    assertEquals(1, run.errorLines().size(), run.toString());
    assertTrue(run.errorLines().get(0).startsWith("maclip: error: cannot read images: "),
        run.toString());
    assertTrue(run.errorLines().get(0).contains("twelvemonkeys"), run.toString());
    assertFalse(run.err().contains("corrupt"), run.toString());
    assertFalse(run.err().contains("\tat "), run.toString());
  }

  /**
   * An image the JVM's heap cannot hold (a JPEG-sized 9000x9000 PNG header, no pixel data after
   * it) is refused from its header in a CLI run with a small heap: the file named, what it needs,
   * the -Xmx to raise, exit 1; the other image is scored.
   */
  @Test
  void anImageOverTheHeapIsRefusedBeforeDecoding() throws Exception {
    java.awt.image.BufferedImage small =
        new java.awt.image.BufferedImage(30, 20, java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
    java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(small, "png", png);
    byte[] header = java.util.Arrays.copyOf(png.toByteArray(), 33); // signature and IHDR
    java.nio.ByteBuffer.wrap(header, 16, 8).putInt(9000).putInt(9000);
    Path big = Files.write(dir.resolve("big.png"), header);
    Path image = Path.of(ScoreCommandTest.class.getResource("/golden/images/rgb_150x100.png").toURI());
    String classPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process = new ProcessBuilder(javaBin.toString(), "-Xmx96m", "-cp", classPath,
        Main.class.getName(), "score", "--model", bundle, big.toString(), image.toString())
        .start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes());
    String err = new String(process.getErrorStream().readAllBytes());
    CliRun run = new CliRun(process.waitFor(), out, err);
    assertEquals(Exit.SOME_FAILED, run.code(), run.toString());
    List<String> errors = run.errLines().stream().filter(l -> l.startsWith("error: ")).toList();
    assertEquals(1, errors.size(), run.toString());
    assertTrue(errors.get(0).matches("error: " + java.util.regex.Pattern.quote(
        big.toString()) + ": 9000x9000 needs 541 MB to decode and prepare, the JVM heap has \\d+ MB"
        + " free; raise its maximum with -Xmx"), run.toString());
    assertTrue(run.out().contains("rgb_150x100.png"), run.toString());
  }
}
