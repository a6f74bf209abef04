package org.maclip.function.testing;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.util.ArrayList;
import java.util.List;
import org.maclip.function.monitoring.MetricsSink;

/** The function's metric lines, kept for the tests (and still written to standard output). */
@Alternative
@Priority(1)
@ApplicationScoped
public class RecordingMetricsSink extends MetricsSink {
  private final List<String> lines = new ArrayList<>();

  @Override
  public void emit(String line) {
    synchronized (lines) {
      lines.add(line);
    }
    super.emit(line);
  }

  /** The lines written so far, parsed, whose {@code bucket} is this one (batch lines: none). */
  public List<JsonNode> forBucket(String bucket) {
    synchronized (lines) {
      return lines.stream().map(S3Fixture::readTree)
          .filter(line -> bucket.equals(line.path("bucket").asText())).toList();
    }
  }

  /** Every line written so far, parsed. */
  public List<JsonNode> all() {
    synchronized (lines) {
      return lines.stream().map(S3Fixture::readTree).toList();
    }
  }
}
