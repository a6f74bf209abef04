package org.maclip.cli.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The page's parts without a browser: escaping, CSP hashes, CSV records, causes, bins. */
class ReportPageTest {
  private static ImageRow row(String name, double q, String error) {
    return new ImageRow(name, null, q, 0.3, 1.0, 0.2, 0.8, 2, 200, 100, List.of(0.5), null, error);
  }

  @Test
  void htmlAndScriptJsonEscaping() {
    assertEquals("&lt;img onerror=&quot;x&quot;&gt; &amp; &#39;", Html.escape("<img onerror=\"x\"> & '"));
    assertEquals("{\"n\":\"\\u003c/script\\u003e\\u003c!-- \\u0026\"}",
        Html.scriptJson("{\"n\":\"</script><!-- &\"}"));
  }

  @Test
  void theCspHashesAreThoseOfTheInlineStyleAndScript() throws Exception {
    StringWriter out = new StringWriter();
    Run run = new Run(List.of(new Run.Fact("model", "<b>")), List.of("Sharp image"),
        List.of(row("a.png", 0.9, null), row("<b>.png", Double.NaN, "broken")));
    new ReportPage(file -> new Thumbnail(null, "none")).write(run, out, () -> {});
    String page = out.toString();
    Matcher csp = Pattern.compile("style-src '(sha256-[^']+)'; script-src '(sha256-[^']+)'")
        .matcher(page);
    assertTrue(csp.find(), page);
    Matcher style = Pattern.compile("<style>(.*?)</style>", Pattern.DOTALL).matcher(page);
    Matcher script = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL).matcher(page);
    assertTrue(style.find() && script.find());
    assertEquals(csp.group(1), ReportPage.hash(style.group(1)));
    assertEquals(csp.group(2), ReportPage.hash(script.group(1)));
    assertTrue(page.contains("<dt>model</dt><dd>&lt;b&gt;</dd>"), page);
    assertTrue(page.contains("\"n\":\"\\u003cb\\u003e.png\""), page);
  }

  @Test
  void causesCountFailuresWithTheirLongNumbersAsN() {
    Map<String, Long> causes = ReportPage.causes(List.of(
        row("a", Double.NaN, "4000x3000 needs 120 MB to decode"),
        row("b", Double.NaN, "5000x4000 needs 200 MB to decode"),
        row("c", Double.NaN, "empty file (0 bytes)"),
        row("d", 0.5, null)));
    assertEquals(Map.of("NxN needs N MB to decode", 2L, "empty file (0 bytes)", 1L), causes);
    assertEquals("NxN needs N MB to decode", causes.keySet().iterator().next(), "most first");
  }

  @Test
  void histogramBinsIncludeBothEnds() {
    int[] counts = Histogram.counts(new double[] {0, 0.5, 1, Double.NaN}, 0, 1);
    assertEquals(1, counts[0]);
    assertEquals(1, counts[Histogram.BINS / 2]);
    assertEquals(1, counts[Histogram.BINS - 1]);
    assertEquals("", Histogram.svg("Q", new double[] {Double.NaN}, 100, 50));
  }

  @Test
  void csvRecordsKeepQuotedCommasQuotesAndLineBreaksAndTheirLines() throws Exception {
    CsvRecords csv = new CsvRecords(new StringReader(
        "path,q\r\n\"a,\"\"b\"\"\nc.png\",0.5\r\nd.png,\r\n"), "r.csv");
    assertEquals(List.of("path", "q"), csv.next());
    assertEquals(List.of("a,\"b\"\nc.png", "0.5"), csv.next());
    assertEquals(2, csv.recordLine());
    assertEquals(List.of("d.png", ""), csv.next());
    assertEquals(4, csv.recordLine());
    assertNull(csv.next());
    ReportException e = assertThrows(ReportException.class,
        () -> new CsvRecords(new StringReader("a,\"b\n"), "x.csv").next());
    assertEquals("x.csv:1: a quoted CSV field is never closed", e.getMessage());
  }

  @Test
  void thumbnailsAreAtMost96PixelsAndKeepTheAspect() {
    var image = org.maclip.scoring.RgbImage.ofGray(400, 100, new float[400 * 100]);
    var small = Thumbnail.shrink(image);
    assertArrayEquals(new int[] {96, 24}, new int[] {small.getWidth(), small.getHeight()});
  }
}
