package org.maclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.maclip.scoring.ScoreResult;

class WritersTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String write(OutputFormat format, boolean views, ScoreResult... results)
      throws Exception {
    return write(format, views, Columns.PLAIN, results);
  }

  private static String write(OutputFormat format, boolean views, Columns columns,
      ScoreResult... results) throws Exception {
    StringWriter out = new StringWriter();
    try (ResultWriter writer = ResultWriter.create(format, out, views, columns)) {
      for (ScoreResult r : results) {
        writer.write(r);
      }
    }
    return out.toString();
  }

  @Test
  void csvQuotesAsRfc4180AndLeavesFailedScoresEmpty() throws Exception {
    String csv = write(OutputFormat.CSV, false,
        Results.scored("a,\"b\".png", 0.5), ScoreResult.failed("c\nd.png", "not an image"));
    String[] rows = csv.split("\r\n", -1);
    assertEquals("path,q,q_sim,q_mag,w_sim,w_mag,views,width,height,error", rows[0]);
    assertEquals("\"a,\"\"b\"\".png\",0.5,0.61,0.41,0.555,0.445,2,300,224,", rows[1]);
    assertEquals("\"c\nd.png\",,,,,,0,,,not an image", rows[2]);
    assertEquals("", rows[3]);
    assertEquals(4, rows.length);
  }

  @Test
  void pairColumnsAreNamedAfterThePromptsAndEmptyForFailedImages() throws Exception {
    Columns pairs = new Columns(List.of("Good image", "Sharp, image"));
    String[] rows = write(OutputFormat.CSV, false, pairs,
        Results.scored("a.png", 0.5), ScoreResult.failed("b.png", "truncated")).split("\r\n");
    assertEquals("path,q,q_sim,q_mag,w_sim,w_mag,views,width,height,p(Good image),"
        + "\"p(Sharp, image)\",error", rows[0]);
    assertEquals("a.png,0.5,0.61,0.41,0.555,0.445,2,300,224,0.7,,", rows[1]);
    assertEquals("b.png,,,,,,0,,,,,truncated", rows[2]);

    List<String> table = write(OutputFormat.TABLE, false, pairs,
        Results.scored("a.png", 0.5)).lines().toList();
    assertTrue(table.get(0).endsWith("height  p(Good image)  p(Sharp, image)"), table.get(0));
    assertTrue(table.get(1).endsWith("224         0.7000"), table.get(1));
  }

  @Test
  void csvQuoteLeavesPlainFieldsAlone() {
    assertEquals("plain.png", CsvWriter.quote("plain.png"));
    assertEquals("\"a\rb\"", CsvWriter.quote("a\rb"));
  }

  @Test
  void tableAlignsColumnsAndShowsErrorsOnlyWhenSomeFailed() throws Exception {
    String ok = write(OutputFormat.TABLE, false,
        Results.scored("a.png", 0.5), Results.scored("longer/b.png", 0.25));
    List<String> lines = ok.lines().toList();
    assertEquals(3, lines.size());
    assertEquals("path               q   q_sim", lines.get(0).substring(0, 28));
    assertFalse(lines.get(0).contains("error"));
    assertTrue(lines.get(1).startsWith("a.png         0.5000  0.6100"), lines.get(1));
    assertEquals(lines.get(0).indexOf("q_sim") + 5, lines.get(1).indexOf("0.6100") + 6);
    assertEquals(lines.get(1).indexOf("0.5000"), lines.get(2).indexOf("0.2500"));

    String failed = write(OutputFormat.TABLE, false,
        Results.scored("a.png", 0.5), ScoreResult.failed("b\tc.png", "truncated"));
    List<String> rows = failed.lines().toList();
    assertTrue(rows.get(0).endsWith("error"), rows.get(0));
    assertTrue(rows.get(2).startsWith("b\\tc.png"), rows.get(2));
    assertTrue(rows.get(2).endsWith("truncated"), rows.get(2));
  }

  @Test
  void emptyTableSaysSo() throws Exception {
    assertEquals("(no images)\n", write(OutputFormat.TABLE, false));
  }

  @Test
  void jsonLinesWritesEachObjectAtOnceWithNullForMissingScores() throws Exception {
    StringWriter out = new StringWriter();
    try (ResultWriter writer = ResultWriter.create(OutputFormat.JSONL, out, false, Columns.PLAIN)) {
      writer.write(Results.scored("a.png", 0.5));
      assertTrue(out.toString().endsWith("}\n"), "first line written before the next image");
      writer.write(ScoreResult.failed("b.png", "zero-byte file"));
    }
    List<String> lines = out.toString().lines().toList();
    assertEquals(2, lines.size());
    JsonNode first = JSON.readTree(lines.get(0));
    assertEquals("a.png", first.get("path").asText());
    assertEquals(0.5, first.get("q").asDouble());
    assertEquals(2, first.get("views").asInt());
    assertEquals(300, first.get("prepared_width").asInt());
    assertEquals(0.7, first.get("pair_probs").get("Good image").asDouble());
    assertTrue(first.get("error").isNull());
    assertFalse(first.has("view_scores"));
    JsonNode second = JSON.readTree(lines.get(1));
    assertTrue(second.get("q").isNull());
    assertTrue(second.get("width").isNull());
    assertEquals("zero-byte file", second.get("error").asText());
  }

  @Test
  void viewsAddPerViewScoresAndBoxes() throws Exception {
    JsonNode line = JSON.readTree(write(OutputFormat.JSONL, true, Results.scored("a.png", 0.5)));
    JsonNode views = line.get("view_scores");
    assertEquals(2, views.size());
    assertEquals(224, views.get(0).get("width").asInt());
    assertFalse(views.get(0).get("is_global").asBoolean());
    assertEquals(300, views.get(1).get("width").asInt());
    assertTrue(views.get(1).get("is_global").asBoolean());
    assertEquals(0.51, views.get(1).get("q").asDouble(), 1e-12);
  }

  @Test
  void jsonIsOneArray() throws Exception {
    JsonNode array = JSON.readTree(write(OutputFormat.JSON, false,
        Results.scored("a.png", 0.5), ScoreResult.failed("b.png", "x")));
    assertTrue(array.isArray());
    assertEquals(2, array.size());
    assertEquals("b.png", array.get(1).get("path").asText());
    assertTrue(JSON.readTree(write(OutputFormat.JSON, false)).isEmpty());
  }
}
