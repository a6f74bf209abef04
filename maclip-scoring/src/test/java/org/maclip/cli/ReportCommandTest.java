package org.maclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maclip.scoring.Bundle;

/** {@code maclip report} and {@code maclip score --report/--pairs} end to end on the tiny bundle. */
class ReportCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DATA =
      Pattern.compile("<script type=\"application/json\" id=\"data\">(.*?)</script>", Pattern.DOTALL);
  static final String NASTY = "<img onerror=alert(1)>.png";
  private static String bundle;

  @TempDir Path dir;

  @BeforeAll
  static void findBundle() throws Exception {
    bundle = Path.of(ReportCommandTest.class.getResource("/golden/tinyrn").toURI()).toString();
  }

  /** Three good images (one named to break HTML), one that is not an image. */
  static Path shots(Path dir) throws Exception {
    Path in = dir.resolve("shots");
    TestImages.good(in.resolve("a.png"), 300, 250, 1);
    TestImages.good(in.resolve("café & \"b\" 日本.png"), 230, 240, 2);
    TestImages.good(in.resolve(NASTY), 400, 300, 3);
    TestImages.textNamedPng(in.resolve("broken.png"));
    return in;
  }

  /** The page's data block, as the page's script reads it. */
  static JsonNode data(Path html) throws Exception {
    Matcher m = DATA.matcher(Files.readString(html));
    assertTrue(m.find(), "no data block");
    return JSON.readTree(m.group(1));
  }

  private static String html(Path file) throws Exception {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  @Test
  void pairsAddOneColumnPerPromptOfTheBundleWithTheJsonsValues() throws Exception {
    Path in = shots(dir);
    Path csv = dir.resolve("r.csv");
    Path jsonl = dir.resolve("r.jsonl");
    CliRun.of("score", in.toString(), "-m", bundle, "--pairs", "-o", csv.toString(), "-q");
    CliRun.of("score", in.toString(), "-m", bundle, "-o", jsonl.toString(), "-q");
    List<String> prompts =
        Bundle.load(Path.of(bundle)).prompts().stream().map(p -> p.positive()).toList();
    List<String> rows = Files.readAllLines(csv);
    List<String> expected = new ArrayList<>(Columns.SCORES);
    prompts.forEach(p -> expected.add("p(" + p + ")"));
    expected.add("error");
    assertEquals(String.join(",", expected), rows.get(0));
    JsonNode first = JSON.readTree(Files.readAllLines(jsonl).get(0));
    String[] cells = rows.get(1).split(",", -1);
    assertEquals(first.get("path").asText(), cells[0]);
    for (int p = 0; p < prompts.size(); p++) {
      assertEquals(first.get("pair_probs").get(prompts.get(p)).asDouble(),
          Double.parseDouble(cells[Columns.SCORES.size() + p]), 1e-12);
    }
  }

  @Test
  void scoreReportWritesOnePageWithEveryImageItsMapsAndTheModel() throws Exception {
    Path in = shots(dir);
    Path html = dir.resolve("out/run.html");
    CliRun run = CliRun.of("score", in.toString(), "-m", bundle, "--views", "--report",
        html.toString());
    assertEquals(Exit.SOME_FAILED, run.code(), run.toString());
    assertTrue(run.err().contains("report: " + html + " (4 images, "), run.toString());
    String page = html(html);
    assertTrue(page.contains(Bundle.load(Path.of(bundle)).sha256()), "model sha256 in summary");
    assertTrue(page.contains("<td>not an image maclip can read (unknown or corrupt format)</td>"
        + "<td class=\"n\">1</td>"), "failures by cause");
    assertTrue(page.contains("<figcaption>Q</figcaption><svg"), "histogram of Q");
    assertTrue(page.contains("<figcaption>p(Sharp image)</figcaption><svg"), "pair histogram");
    assertFalse(page.contains("http://") || page.contains("https://") || page.contains("src=\"/"),
        "nothing to fetch");
    JsonNode data = data(html);
    assertEquals(5, data.get("pairs").size());
    assertEquals(4, data.get("rows").size());
    for (JsonNode row : data.get("rows")) {
      boolean failed = row.has("e");
      assertEquals(!failed, row.has("t"), row.toString());
      assertEquals(!failed, row.has("m"), "quality map for scored rows: " + row);
      assertEquals(failed ? 0 : 5, row.get("p").size() - (failed ? 5 : 0), row.toString());
    }
  }

  @Test
  void reportOfJsonLinesAndOfCsvShowTheSameRows() throws Exception {
    Path in = shots(dir);
    Path jsonl = dir.resolve("r.jsonl");
    Path csv = dir.resolve("r.csv");
    CliRun.of("score", in.toString(), "-m", bundle, "-o", jsonl.toString(), "-q");
    CliRun.of("score", in.toString(), "-m", bundle, "--pairs", "-o", csv.toString(), "-q");
    CliRun a = CliRun.of("report", jsonl.toString(), "-m", bundle);
    assertEquals(Exit.OK, a.code(), a.toString());
    assertTrue(a.err().contains("report: " + dir.resolve("r.html") + " (4 images, "), a.toString());
    assertTrue(html(dir.resolve("r.html")).contains(Bundle.load(Path.of(bundle)).sha256()));
    JsonNode fromJson = data(dir.resolve("r.html")).get("rows");
    CliRun b = CliRun.of("report", csv.toString(), "-o", dir.resolve("c.html").toString(), "-q");
    assertEquals(Exit.OK, b.code(), b.toString());
    JsonNode fromCsv = data(dir.resolve("c.html")).get("rows");
    assertEquals(fromJson.size(), fromCsv.size());
    for (int i = 0; i < fromJson.size(); i++) {
      JsonNode x = fromJson.get(i);
      JsonNode y = fromCsv.get(i);
      assertEquals(x.get("n"), y.get("n"));
      assertEquals(x.path("q").asDouble(-1), y.path("q").asDouble(-1), 1e-6);
      assertEquals(x.get("p").toString(), y.get("p").toString());
      assertEquals(x.has("t"), y.has("t"));
    }
  }

  @Test
  void aFileGoneSinceScoringKeepsItsRowWithoutAThumbnail() throws Exception {
    Path in = shots(dir);
    Path jsonl = dir.resolve("r.jsonl");
    CliRun.of("score", in.toString(), "-m", bundle, "-o", jsonl.toString(), "-q");
    Files.delete(in.resolve("a.png"));
    assertEquals(Exit.OK, CliRun.of("report", jsonl.toString(), "-q").code());
    JsonNode gone = null;
    for (JsonNode row : data(dir.resolve("r.html")).get("rows")) {
      if (row.get("n").asText().endsWith("a.png")) {
        gone = row;
      }
    }
    assertTrue(gone != null && gone.has("q") && !gone.has("t"), String.valueOf(gone));
    assertEquals("no thumbnail: no such file", gone.get("tn").asText());
  }

  @Test
  void namesThatAreHtmlStayText() throws Exception {
    Path in = shots(dir);
    Path html = dir.resolve("run.html");
    CliRun.of("score", in.toString(), "-m", bundle, "--report", html.toString(), "-q");
    String page = html(html);
    assertFalse(page.contains("<img"), "no markup from a file name");
    assertFalse(page.contains("\"b\" 日本"), "quotes in names are escaped in the data block");
    assertTrue(page.contains("\\u003cimg onerror=alert(1)\\u003e.png"));
    JsonNode rows = data(html).get("rows");
    assertTrue(rows.toString().contains(in.resolve(NASTY).toString().replace("\\", "\\\\")));
  }

  @Test
  void aResumedRunReportsEveryImageOfItsResultsFile() throws Exception {
    Path in = dir.resolve("in");
    TestImages.good(in.resolve("a.png"), 300, 250, 1);
    Path jsonl = dir.resolve("r.jsonl");
    CliRun.of("score", in.toString(), "-m", bundle, "-o", jsonl.toString(), "-q");
    TestImages.good(in.resolve("b.png"), 230, 240, 2);
    Path html = dir.resolve("r.html");
    CliRun run = CliRun.of("score", in.toString(), "-m", bundle, "-o", jsonl.toString(),
        "--resume", "--report", html.toString());
    assertEquals(Exit.OK, run.code(), run.toString());
    JsonNode rows = data(html).get("rows");
    assertEquals(2, rows.size(), "the earlier run's image too");
    assertTrue(html(html).contains("<dt>resumed</dt>"));
  }

  @Test
  void functionResultFolderWithImagesSyncedElsewhere() throws Exception {
    Path images = dir.resolve("bucket");
    TestImages.good(images.resolve("incoming/holiday 2026/beach.png"), 320, 240, 4);
    Path results = dir.resolve("results");
    Files.createDirectories(results.resolve("incoming/holiday 2026"));
    Files.writeString(results.resolve("incoming/holiday 2026/beach.png.json"), """
        {
          "format" : "maclip-result", "format_version" : 1,
          "source" : { "bucket" : "photos", "key" : "incoming/holiday 2026/beach.png" },
          "ok" : true, "q" : 1.05, "q_sim" : 0.3, "q_mag" : 1.2, "w_sim" : 0.2, "w_mag" : 0.8,
          "views" : 3, "height" : 240, "width" : 320, "error" : null,
          "pair_probs" : { "Good image" : 0.6, "Sharp image" : 0.4 },
          "prepared_height" : 224, "prepared_width" : 298,
          "view_scores" : [
            { "top" : 0, "left" : 0, "height" : 224, "width" : 224, "is_global" : false, "q" : 1.0 },
            { "top" : 0, "left" : 74, "height" : 224, "width" : 224, "is_global" : false, "q" : 1.1 },
            { "top" : 0, "left" : 0, "height" : 224, "width" : 298, "is_global" : true, "q" : 1.05 }
          ],
          "model" : { "backbone" : "RN50", "pretrained" : "openai", "sha256" : "abc123" },
          "method" : "maclip", "params" : { "lam" : 0.5, "alpha" : 1.0, "b_sim" : 1.0, "b_mag" : 0.6 },
          "function" : { "name" : "maclip-function", "version" : "0.1.0" },
          "scored_at" : "2026-12-01T10:00:00Z"
        }
        """);
    Files.writeString(results.resolve("incoming/broken.jpg.json"), """
        { "format" : "maclip-result", "source" : { "bucket" : "photos", "key" : "incoming/broken.jpg" },
          "ok" : false, "q" : null, "views" : 0, "error" : "not an image maclip can read",
          "pair_probs" : { },
          "model" : { "backbone" : "RN50", "pretrained" : "openai", "sha256" : "abc123" } }
        """);
    CliRun run = CliRun.of("report", results.toString(), "--images", images.toString());
    assertEquals(Exit.OK, run.code(), run.toString());
    Path html = dir.resolve("results.html");
    String page = html(html);
    assertTrue(page.contains("<dt>model sha256</dt><dd>abc123</dd>"), "provenance from the docs");
    JsonNode rows = data(html).get("rows");
    assertEquals(2, rows.size());
    JsonNode broken = rows.get(0);
    JsonNode beach = rows.get(1);
    assertEquals("s3://photos/incoming/broken.jpg", broken.get("n").asText());
    assertEquals("not an image maclip can read", broken.get("e").asText());
    assertEquals("s3://photos/incoming/holiday 2026/beach.png", beach.get("n").asText());
    assertTrue(beach.has("t"), "thumbnail from --images");
    assertEquals(2, beach.get("m").get("b").size(), "patch views only");
    assertEquals("[0.6,0.4]", beach.get("p").toString());
  }

  @Test
  void aMalformedResultsFileIsOneErrorNamingTheLine() throws Exception {
    Path jsonl = dir.resolve("r.jsonl");
    Files.writeString(jsonl, "{\"path\": \"a.png\", \"q\": 0.5, \"error\": null}\n"
        + "{\"path\": \"b.png\", \"q\": 0.6, \"error\": null}\n{\"path\": \"c.png\", \"q\": \n");
    assertOneError(CliRun.of("report", jsonl.toString()), jsonl + ":4: not valid JSON");
    Files.writeString(jsonl, "{\"path\": \"a.png\", \"q\": 0.5}\n{\"name\": \"b.png\"}\n");
    assertOneError(CliRun.of("report", jsonl.toString()),
        jsonl + ":2: not a maclip result (no \"path\", no \"source\")");
    Files.writeString(jsonl, "{\"path\": \"a.png\", \"q\": \"high\"}\n");
    assertOneError(CliRun.of("report", jsonl.toString()),
        jsonl + ":1: \"q\" is not a number: \"high\"");
    Path csv = dir.resolve("r.csv");
    Files.writeString(csv, "path,q,error\r\n\"a\nb.png\",0.5,\r\nc.png,abc,\r\n");
    assertOneError(CliRun.of("report", csv.toString()), csv + ":4: column q: 'abc' is not a number");
    assertOneError(CliRun.of("report", dir.resolve("none.jsonl").toString()),
        "cannot read " + dir.resolve("none.jsonl") + ": no such file");
  }

  private static void assertOneError(CliRun run, String message) {
    assertEquals(Exit.USAGE, run.code(), run.toString());
    assertEquals(List.of("maclip: error: " + message), run.errLines().stream()
        .map(l -> l.startsWith("maclip: error: " + message) ? "maclip: error: " + message : l)
        .toList(), run.toString());
    assertFalse(run.err().contains("\tat "), run.toString());
  }
}
