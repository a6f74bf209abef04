package org.maclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report page in a real headless Chromium: it loads without a console message, lists the
 * images worst first, filters and sorts from its address, keeps file names as text, and renders
 * to a screenshot.
 */
class ReportBrowserTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern Q_CELL = Pattern.compile("data-key=\"q\">([^<]*)</td>");
  private static final Pattern PATH_CELL = Pattern.compile("data-key=\"path\">([^<]*)</td>");

  @TempDir static Path dir;
  private static HeadlessChromium browser;
  private static Path page;
  private static List<Double> scored;
  private static JsonNode wide;

  @BeforeAll
  static void writeThePage() throws Exception {
    browser = HeadlessChromium.find(dir.resolve("profile"));
    String bundle =
        Path.of(ReportBrowserTest.class.getResource("/golden/tinyrn").toURI()).toString();
    Path in = ReportCommandTest.shots(dir);
    TestImages.good(in.resolve("d.png"), 500, 260, 5);
    page = dir.resolve("run.html");
    Path jsonl = dir.resolve("run.jsonl");
    CliRun run = CliRun.of("score", in.toString(), "-m", bundle, "--views", "-o",
        jsonl.toString(), "--report", page.toString(), "-q");
    assertEquals(Exit.SOME_FAILED, run.code(), run.toString());
    scored = new ArrayList<>();
    for (String line : Files.readAllLines(jsonl)) {
      if (line.contains("d.png")) {
        wide = JSON.readTree(line);
      }
      JsonNode q = JSON.readTree(line).get("q");
      if (!q.isNull()) {
        scored.add(q.asDouble());
      }
    }
    scored.sort(null);
  }

  private static List<String> cells(Pattern pattern, String dom) {
    List<String> cells = new ArrayList<>();
    Matcher m = pattern.matcher(dom);
    while (m.find()) {
      cells.add(m.group(1));
    }
    return cells;
  }

  private static HeadlessChromium.Load load(String fragment) throws Exception {
    HeadlessChromium.Load load = browser.dumpDom(page, fragment);
    assertEquals(List.of(), load.console(), "console messages (script errors among them)");
    assertTrue(load.dom().contains("data-ready=\"true\""), "the script ran to its end");
    return load;
  }

  private static String four(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  @Test
  void loadsWithoutScriptErrorsAndListsTheWorstFirst() throws Exception {
    String dom = load("").dom();
    List<String> expected = new ArrayList<>(List.of("\u2014"));
    scored.forEach(q -> expected.add(four(q)));
    assertEquals(expected, cells(Q_CELL, dom), "the failed image, then Q from the lowest");
    assertTrue(dom.contains("aria-sort=\"ascending\""), dom);
    assertTrue(dom.contains("Images 1\u20135 of 5, sorted by Q, lowest first."), dom);
  }

  @Test
  void sortsHighestFirstFromItsAddress() throws Exception {
    List<String> expected = new ArrayList<>();
    scored.forEach(q -> expected.add(0, four(q)));
    expected.add("\u2014");
    assertEquals(expected, cells(Q_CELL, load("desc").dom()));
  }

  @Test
  void aQRangeHidesTheImagesOutsideIt() throws Exception {
    double bound = (scored.get(1) + scored.get(2)) / 2;
    String dom = load("qmax=" + bound).dom();
    assertEquals(List.of(four(scored.get(0)), four(scored.get(1))), cells(Q_CELL, dom));
    assertTrue(dom.contains("Images 1\u20132 of 2 (3 hidden by the filters)"), dom);
  }

  @Test
  void theFailedFilterShowsOnlyTheFailedImageWithItsReason() throws Exception {
    String dom = load("status=failed").dom();
    assertEquals(List.of("\u2014"), cells(Q_CELL, dom));
    assertTrue(dom.contains("not an image maclip can read"), dom);
    assertTrue(dom.contains("no thumbnail: not an image maclip can read"), dom);
  }

  @Test
  void fileNamesStayTextAndOnlyThumbnailsAreImages() throws Exception {
    String dom = load("").dom();
    List<String> paths = cells(PATH_CELL, dom);
    assertTrue(paths.stream().anyMatch(p -> p.endsWith("/&lt;img onerror=alert(1)&gt;.png")),
        paths.toString());
    assertTrue(paths.stream().anyMatch(p -> p.endsWith("/café &amp; \"b\" 日本.png")),
        paths.toString());
    assertEquals(scored.size(), cells(Pattern.compile("<img ([^>]*)>"), dom).size());
    assertFalse(Pattern.compile("<img[^>]*onerror").matcher(dom).find(), dom);
  }

  @Test
  void theAddressOpensAnImagesQualityMapOfItsPatchViews() throws Exception {
    List<Double> patches = new ArrayList<>();
    wide.get("view_scores").forEach(v -> {
      if (!v.get("is_global").asBoolean()) {
        patches.add(v.get("q").asDouble());
      }
    });
    assertEquals(3, patches.size(), "500x260: three patches in a row, each with cells of its own");
    patches.sort(null);
    String name = wide.get("path").asText();
    String dom = load("map=" + java.net.URLEncoder.encode(name, "UTF-8").replace("+", "%20")).dom();
    assertEquals(1, cells(Pattern.compile("(<canvas)"), dom).size(), dom);
    assertTrue(dom.contains("<span>Q " + four(patches.get(0)) + "</span>"), dom);
    assertTrue(dom.contains("<span>" + four(patches.get(2)) + "</span>"), dom);
    assertTrue(dom.contains("(3 patch views; the global view left out)"), dom);
    assertEquals(0, cells(Pattern.compile("(<canvas)"), load("").dom()).size());
  }

  @Test
  void rendersToAScreenshot() throws Exception {
    Path png = dir.resolve("report.png");
    HeadlessChromium.Load load = browser.screenshot(page, png, 1280, 900);
    assertEquals(List.of(), load.console());
    byte[] bytes = Files.readAllBytes(png);
    assertTrue(bytes.length > 10_000, "a page, not a blank: " + bytes.length + " bytes");
    assertEquals("\u0089PNG", new String(bytes, 0, 4, java.nio.charset.StandardCharsets.ISO_8859_1));
  }
}
