package org.maclip.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import org.maclip.scoring.ResultJson;
import org.maclip.scoring.ScoreResult;

/**
 * JSON Lines (one object per line) or one JSON array, streamed: each object is written and
 * flushed as its image finishes, so memory stays bounded and an interrupted JSON Lines run keeps
 * every finished line. NaN scores are written as {@code null}.
 */
final class JsonResultWriter implements ResultWriter {
  private static final JsonFactory FACTORY =
      JsonFactory.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();
  /** Writes into the generator without flushing: {@link #write} flushes once per line. */
  private static final ObjectMapper MAPPER =
      new ObjectMapper(FACTORY).disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);

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
    writeObject(result);
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

  /** One result as a JSON object: its path, then {@link ResultJson}'s score fields. */
  private void writeObject(ScoreResult r) throws IOException {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("path", r.name());
    ResultJson.putScores(node, r, views);
    MAPPER.writeTree(json, node);
  }
}
