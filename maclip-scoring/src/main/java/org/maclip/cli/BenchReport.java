package org.maclip.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.maclip.scoring.Bundle;
import org.maclip.scoring.Device;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.ScorerOptions;

/**
 * What {@code maclip bench} measured, as text or as one JSON object.
 *
 * @param bundle the bundle scored with
 * @param options the scorer's options (batch size, threads)
 * @param device the device the encoder ran on
 * @param times what took how long
 * @param results the last round's results, in input order
 */
record BenchReport(
    Bundle bundle, ScorerOptions options, Device device, Times times, List<ScoreResult> results) {

  /**
   * The measured times, seconds.
   *
   * @param jvm from the JVM's start to the command's start (JVM start-up, class loading)
   * @param load opening the scorer: reading and checking the bundle, ONNX Runtime session
   * @param warmUp the first run over the inputs, not counted in the rate
   * @param rounds each timed run over the inputs
   * @param waited waiting for the driver's go-ahead ({@code --paced}), in none of the above
   */
  record Times(double jvm, double load, double warmUp, List<Double> rounds, double waited) {
    Times {
      if (rounds.isEmpty()) {
        throw new IllegalArgumentException("a benchmark needs at least one timed round");
      }
      rounds = List.copyOf(rounds);
    }
  }

  BenchReport {
    results = List.copyOf(results);
  }

  /** Views per round: every image's views. */
  int views() {
    return results.stream().mapToInt(ScoreResult::viewCount).sum();
  }

  /** The fastest round, seconds: the one least disturbed by other work. */
  double bestSeconds() {
    return Collections.min(times.rounds());
  }

  double imagesPerSecond() {
    return results.size() / bestSeconds();
  }

  double viewsPerSecond() {
    return views() / bestSeconds();
  }

  /** Human-readable lines. */
  String text() {
    StringBuilder t = new StringBuilder();
    t.append(format("model: %s (%s, %s), device %s, threads %s, batch %d%n",
        bundle.path(), bundle.backbone(), bundle.pretrained(), id(device),
        options.threads() == 0 ? "auto" : Integer.toString(options.threads()),
        options.batchSize()));
    t.append(format("images: %d, %d views a round%n", results.size(), views()));
    t.append(format("jvm start %.3f s, model load %.3f s, warm-up %.3f s%n",
        times.jvm(), times.load(), times.warmUp()));
    for (int i = 0; i < times.rounds().size(); i++) {
      t.append(format("round %d: %.3f s%n", i + 1, times.rounds().get(i)));
    }
    t.append(format("best: %.3f s, %.3f images/s, %.2f views/s%n",
        bestSeconds(), imagesPerSecond(), viewsPerSecond()));
    for (ScoreResult r : results) {
      t.append(format("%.6f  %3d views  %s%n", r.q(), r.viewCount(), Text.printable(r.name())));
    }
    return t.toString();
  }

  /** One JSON object and a line break. */
  String json() {
    StringWriter out = new StringWriter();
    try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("model", bundle.path().toString());
      json.writeStringField("backbone", bundle.backbone());
      json.writeStringField("pretrained", bundle.pretrained());
      json.writeStringField("device", id(device));
      json.writeNumberField("threads", options.threads());
      json.writeNumberField("batch_size", options.batchSize());
      json.writeNumberField("images", results.size());
      json.writeNumberField("views", views());
      json.writeNumberField("jvm_seconds", times.jvm());
      json.writeNumberField("load_seconds", times.load());
      json.writeNumberField("warm_up_seconds", times.warmUp());
      json.writeArrayFieldStart("round_seconds");
      for (double s : times.rounds()) {
        json.writeNumber(s);
      }
      json.writeEndArray();
      json.writeNumberField("waited_seconds", times.waited());
      json.writeNumberField("best_seconds", bestSeconds());
      json.writeNumberField("images_per_second", imagesPerSecond());
      json.writeNumberField("views_per_second", viewsPerSecond());
      json.writeArrayFieldStart("results");
      for (ScoreResult r : results) {
        json.writeStartObject();
        json.writeStringField("path", r.name());
        json.writeNumberField("q", r.q());
        json.writeNumberField("views", r.viewCount());
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out + "\n";
  }

  private static String id(Device device) {
    return device.name().toLowerCase(Locale.ROOT);
  }

  private static String format(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }
}
