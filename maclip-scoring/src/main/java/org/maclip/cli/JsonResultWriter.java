package org.maclip.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import java.io.IOException;
import java.io.Writer;
import org.maclip.scoring.PairProbability;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.ViewScore;

/**
 * JSON Lines (one object per line) or one JSON array, streamed: each object is written and
 * flushed as its image finishes, so memory stays bounded and an interrupted JSON Lines run keeps
 * every finished line. NaN scores are written as {@code null}.
 */
final class JsonResultWriter implements ResultWriter {
  private static final JsonFactory FACTORY =
      JsonFactory.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();

  private final JsonGenerator json;
  private final boolean views;
  private final boolean array;

  JsonResultWriter(Writer out, boolean views, boolean array) throws IOException {
    this.json = FACTORY.createGenerator(out);
    this.views = views;
    this.array = array;
    if (array) {
      json.setPrettyPrinter(new DefaultPrettyPrinter());
      json.writeStartArray();
    } else {
      json.setRootValueSeparator(null);
    }
  }

  @Override
  public void write(ScoreResult result) throws IOException {
    writeObject(json, result, views);
    if (!array) {
      json.writeRaw('\n');
    }
    json.flush();
  }

  @Override
  public void close() throws IOException {
    if (array) {
      json.writeEndArray();
      json.writeRaw('\n');
    }
    json.close();
  }

  /** One result as a JSON object; {@code views} adds {@code view_scores} with their boxes. */
  static void writeObject(JsonGenerator json, ScoreResult r, boolean views) throws IOException {
    json.writeStartObject();
    json.writeStringField("path", r.name());
    number(json, "q", r.q());
    number(json, "q_sim", r.qSim());
    number(json, "q_mag", r.qMag());
    number(json, "w_sim", r.wSim());
    number(json, "w_mag", r.wMag());
    json.writeNumberField("views", r.viewCount());
    size(json, "width", r.ok(), r.width());
    size(json, "height", r.ok(), r.height());
    json.writeStringField("error", r.error());
    json.writeObjectFieldStart("pair_probs");
    for (PairProbability pair : r.pairs()) {
      number(json, pair.positive(), pair.probability());
    }
    json.writeEndObject();
    size(json, "prepared_width", r.ok(), r.preparedWidth());
    size(json, "prepared_height", r.ok(), r.preparedHeight());
    if (views) {
      json.writeArrayFieldStart("view_scores");
      for (ViewScore v : r.views()) {
        writeView(json, v);
      }
      json.writeEndArray();
    }
    json.writeEndObject();
  }

  private static void writeView(JsonGenerator json, ViewScore v) throws IOException {
    json.writeStartObject();
    json.writeNumberField("top", v.box().top());
    json.writeNumberField("left", v.box().left());
    json.writeNumberField("height", v.box().height());
    json.writeNumberField("width", v.box().width());
    json.writeBooleanField("is_global", v.box().global());
    number(json, "q", v.q());
    number(json, "q_sim", v.qSim());
    number(json, "q_mag", v.qMag());
    number(json, "w_sim", v.wSim());
    number(json, "w_mag", v.wMag());
    json.writeEndObject();
  }

  private static void number(JsonGenerator json, String name, double value) throws IOException {
    if (Double.isFinite(value)) {
      json.writeNumberField(name, value);
    } else {
      json.writeNullField(name);
    }
  }

  private static void size(JsonGenerator json, String name, boolean known, int value)
      throws IOException {
    if (known) {
      json.writeNumberField(name, value);
    } else {
      json.writeNullField(name);
    }
  }
}
