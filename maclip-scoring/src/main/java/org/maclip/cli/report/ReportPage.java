package org.maclip.cli.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.maclip.scoring.ColourScale;
import org.maclip.scoring.PairProbability;

/**
 * Writes a {@link Run} as one self-contained HTML page: the summary, histograms as inline SVG,
 * and every image as a row (thumbnail, scores, pair probabilities, size, path, error) that a
 * small inline script sorts, filters and pages, with each image's quality map on demand. Nothing
 * is fetched: styles, script, data and thumbnails are inside, and the page's Content Security
 * Policy forbids any request (images only from {@code data:}, the script and style only by their
 * hashes, so no text from a results file can run as script). Rows are written one at a time,
 * each thumbnail made as its row is written, so memory stays that of the run's scores.
 */
public final class ReportPage {
  private static final String STYLE = resource("report.css");
  private static final String SCRIPT = resource("report.js");
  private static final JsonFactory JSON = new JsonFactory();

  /** The first sentence of the scores section: what the cues are. */
  static final String CUES =
      "Q_sim is CLIP's cosine-similarity cue: the probability it gives the positive prompt of"
          + " each antonym pair (\"Good image\" against \"bad image\", \"Sharp image\" against"
          + " \"blurry image\", …), averaged over the pairs; Q_mag is the magnitude cue: how"
          + " strongly the image's features respond (their normalised, Box-Cox-transformed"
          + " magnitudes), which falls with blur and noise. Q fuses both in every view, each"
          + " weighted by its confidence (w_sim, w_mag), and averages the views; higher is better.";

  /** What the pair columns are, said plainly. */
  static final String PAIRS =
      "p(…) is the probability CLIP gives the positive prompt of a pair against its negative,"
          + " averaged over the views: CLIP's opinion of each prompt, not a calibrated"
          + " measurement of sharpness, noise or resolution.";

  private final Function<Path, Thumbnail> thumbnails;

  /** A page whose thumbnails {@code thumbnails} makes ({@link Thumbnail#of} in use). */
  public ReportPage(Function<Path, Thumbnail> thumbnails) {
    this.thumbnails = thumbnails;
  }

  /** Writes {@code run}'s page to {@code out}; {@code rowDone} hears of each row written. */
  public void write(Run run, Writer out, Runnable rowDone) throws IOException {
    List<ImageRow> rows = run.rows();
    long failed = rows.stream().filter(r -> !r.ok()).count();
    out.write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.write("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        + "img-src data:; style-src '" + hash(STYLE) + "'; script-src '" + hash(SCRIPT)
        + "'\">\n");
    out.write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.write("<meta name=\"generator\" content=\"maclip report\">\n");
    out.write("<title>maclip report: " + rows.size() + " images</title>\n");
    out.write("<style>" + STYLE + "</style>\n</head>\n<body>\n");
    out.write("<header><h1>maclip report</h1><p>" + rows.size() + " images, "
        + (rows.size() - failed) + " scored, " + failed + " failed</p></header>\n");
    out.write("<div class=\"overview\">\n");
    writeSummary(run, failed, out);
    writeCharts(run, out);
    out.write("</div>\n");
    out.write("<section id=\"images\"><h2>Images</h2>\n");
    out.write("<noscript><p>The list of images needs JavaScript.</p></noscript>\n");
    out.write("<form id=\"filters\" autocomplete=\"off\"></form>\n<p id=\"status\"></p>\n");
    out.write("<table id=\"rows\"><thead></thead><tbody></tbody></table>\n");
    out.write("<nav id=\"pager\"></nav>\n</section>\n");
    out.write("<script type=\"application/json\" id=\"data\">");
    writeData(run, out, rowDone);
    out.write("</script>\n<script>" + SCRIPT + "</script>\n</body>\n</html>\n");
    out.flush();
  }

  private static void writeSummary(Run run, long failed, Writer out) throws IOException {
    out.write("<section id=\"summary\"><h2>Run</h2>\n<dl>\n");
    List<ImageRow> rows = run.rows();
    fact(out, "images", rows.size() + " (" + (rows.size() - failed) + " scored, " + failed
        + " failed)");
    for (Run.Fact f : run.facts()) {
      fact(out, f.label(), f.value());
    }
    double[] q = rows.stream().filter(ImageRow::ok).mapToDouble(ImageRow::q)
        .filter(Double::isFinite).sorted().toArray();
    if (q.length > 0) {
      fact(out, "Q", String.format(Locale.ROOT, "lowest %.4f, median %.4f, highest %.4f",
          q[0], q[q.length / 2], q[q.length - 1]));
    }
    fact(out, "report made", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    out.write("</dl>\n");
    if (failed > 0) {
      out.write("<h3>Failed, by cause</h3>\n<table id=\"causes\"><thead><tr><th>cause</th>"
          + "<th>images</th></tr></thead><tbody>\n");
      for (Map.Entry<String, Long> c : causes(rows).entrySet()) {
        out.write("<tr><td>" + Html.escape(c.getKey()) + "</td><td class=\"n\">" + c.getValue()
            + "</td></tr>\n");
      }
      out.write("</tbody></table>\n");
    }
    out.write("</section>\n");
  }

  /**
   * Failed images counted by cause, most frequent first: the error with its numbers of two digits
   * or more written as N, so that "4000x3000 needs 120 MB" and "5000x4000 needs 200 MB" are one
   * cause.
   */
  static Map<String, Long> causes(List<ImageRow> rows) {
    Map<String, Long> counts = rows.stream().filter(r -> !r.ok())
        .collect(Collectors.groupingBy(r -> r.error().replaceAll("\\d{2,}(\\.\\d+)?", "N"),
            TreeMap::new, Collectors.counting()));
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a,
            LinkedHashMap::new));
  }

  private static void fact(Writer out, String label, String value) throws IOException {
    out.write("<dt>" + Html.escape(label) + "</dt><dd>" + Html.escape(value) + "</dd>\n");
  }

  private static void writeCharts(Run run, Writer out) throws IOException {
    out.write("<section id=\"scores\"><h2>Scores</h2>\n<p class=\"explain\">"
        + Html.escape(CUES) + "</p>\n<div class=\"charts\">\n");
    out.write(Histogram.svg("Q", values(run, ImageRow::q), 180, 60));
    out.write(Histogram.svg("Q_sim", values(run, ImageRow::qSim), 180, 60));
    out.write(Histogram.svg("Q_mag", values(run, ImageRow::qMag), 180, 60));
    out.write("</div>\n");
    if (!run.pairs().isEmpty()) {
      out.write("<p class=\"explain\">" + Html.escape(PAIRS) + "</p>\n<div class=\"charts\">\n");
      for (int p = 0; p < run.pairs().size(); p++) {
        int pair = p;
        out.write(Histogram.svg(PairProbability.column(run.pairs().get(p)),
            values(run, r -> r.pairs().get(pair)), 110, 40));
      }
      out.write("</div>\n");
    }
    out.write("</section>\n");
  }

  private static double[] values(Run run, ToDoubleFunction<ImageRow> value) {
    return run.rows().stream().filter(ImageRow::ok).mapToDouble(value).toArray();
  }

  /**
   * The rows as compact JSON: {@code {"scale": the quality maps' colour anchors, "pairs": [...],
   * "rows": [{"n": name, "q": ..., "t": thumbnail, ...}]}}, escaped for a script block.
   */
  private void writeData(Run run, Writer out, Runnable rowDone) throws IOException {
    out.write(Html.scriptJson("{\"scale\":" + json(g -> {
      g.writeStartArray();
      for (int[] rgb : ColourScale.anchors()) {
        g.writeArray(rgb, 0, rgb.length);
      }
      g.writeEndArray();
    }) + ",\"pairs\":" + json(g -> {
      g.writeStartArray();
      for (String p : run.pairs()) {
        g.writeString(p);
      }
      g.writeEndArray();
    }) + ",\"rows\":[\n"));
    boolean first = true;
    for (ImageRow r : run.rows()) {
      Thumbnail thumb = thumbnails.apply(r.file());
      String row = json(g -> writeRow(g, r, thumb));
      out.write(Html.scriptJson((first ? "" : ",\n") + row));
      first = false;
      rowDone.run();
    }
    out.write("\n]}");
  }

  private static void writeRow(JsonGenerator g, ImageRow r, Thumbnail thumb) throws IOException {
    g.writeStartObject();
    g.writeStringField("n", r.name());
    number(g, "q", r.q());
    number(g, "qs", r.qSim());
    number(g, "qm", r.qMag());
    number(g, "ws", r.wSim());
    number(g, "wm", r.wMag());
    g.writeNumberField("v", r.views());
    if (r.ok()) {
      g.writeNumberField("w", r.width());
      g.writeNumberField("h", r.height());
    }
    g.writeArrayFieldStart("p");
    for (double p : r.pairs()) {
      rounded(g, p);
    }
    g.writeEndArray();
    if (!r.ok()) {
      g.writeStringField("e", r.error());
    }
    if (thumb.base64() != null) {
      g.writeStringField("t", thumb.base64());
    } else {
      g.writeStringField("tn", thumb.note());
    }
    if (r.map() != null && !r.map().patches().isEmpty()) {
      g.writeObjectFieldStart("m");
      g.writeNumberField("w", r.map().width());
      g.writeNumberField("h", r.map().height());
      g.writeArrayFieldStart("b");
      for (ViewMap.Patch p : r.map().patches()) {
        g.writeStartArray();
        g.writeNumber(p.left());
        g.writeNumber(p.top());
        g.writeNumber(p.width());
        g.writeNumber(p.height());
        rounded(g, p.q());
        g.writeEndArray();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static void number(JsonGenerator g, String name, double value) throws IOException {
    if (Double.isFinite(value)) {
      g.writeFieldName(name);
      rounded(g, value);
    }
  }

  /** A score to 6 decimals (the page shows 4), null when not finite. */
  private static void rounded(JsonGenerator g, double value) throws IOException {
    if (Double.isFinite(value)) {
      g.writeNumber(Math.round(value * 1e6) / 1e6);
    } else {
      g.writeNull();
    }
  }

  private interface JsonBody {
    void write(JsonGenerator g) throws IOException;
  }

  private static String json(JsonBody body) throws IOException {
    StringWriter text = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(text)) {
      body.write(g);
    }
    return text.toString();
  }

  /** The CSP source of an inline block: {@code sha256-<base64 of its UTF-8 bytes' digest>}. */
  static String hash(String block) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(block.getBytes(StandardCharsets.UTF_8));
      return "sha256-" + Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }

  private static String resource(String name) {
    try (InputStream in = ReportPage.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
