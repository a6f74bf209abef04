package org.maclip.cli.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads what a scoring run wrote into a {@link Run}: the CLI's JSON Lines, JSON array or CSV, or a
 * folder of the function's result JSON files (searched to any depth). A line that is not a
 * result is an error naming the file and the line.
 */
public final class ResultsReader {
  private static final ObjectReader JSON = new ObjectMapper().readerFor(JsonNode.class);

  /** Where thumbnails come from: relative CLI paths and function keys resolve under it. */
  private final Path images;
  private final Set<String> pairNames = new LinkedHashSet<>();
  private final Map<String, Set<String>> facts = new LinkedHashMap<>();
  private final List<Pending> pending = new ArrayList<>();

  /** A row read before the run's pair names are all known. */
  private record Pending(ImageRow row, Map<String, Double> pairs) {}

  /**
   * @param images the folder image paths are relative to (CLI results: the folder the run was
   *     started in; function results: where the bucket's images are synced), or null: CLI paths as
   *     written, no thumbnails for function results
   */
  public ResultsReader(Path images) {
    this.images = images;
  }

  /**
   * Reads {@code input}: a folder of result JSON files, a {@code .csv} file, or a JSON Lines or
   * JSON file.
   *
   * @throws ReportException it cannot be read, or holds something that is not a result
   */
  public Run read(Path input) {
    try {
      if (Files.isDirectory(input)) {
        readFolder(input);
        fact("results", input + " (" + pending.size() + " results)");
      } else {
        if (input.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
          readCsv(input);
        } else {
          readJson(input);
        }
        fact("results", input.toString());
        fact("written", Files.getLastModifiedTime(input).toInstant()
            .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
      }
    } catch (IOException e) {
      throw new ReportException("cannot read " + input + ": " + reason(e), e);
    }
    if (pending.isEmpty()) {
      throw new ReportException(input + " holds no results");
    }
    List<String> pairs = List.copyOf(pairNames);
    List<ImageRow> rows = new ArrayList<>(pending.size());
    for (Pending p : pending) {
      List<Double> values = pairs.stream().map(n -> p.pairs().getOrDefault(n, Double.NaN)).toList();
      ImageRow r = p.row();
      rows.add(new ImageRow(r.name(), r.file(), r.q(), r.qSim(), r.qMag(), r.wSim(), r.wMag(),
          r.views(), r.width(), r.height(), values, r.map(), r.error()));
    }
    List<Run.Fact> list = new ArrayList<>();
    facts.forEach((label, values) -> list.add(new Run.Fact(label, String.join(", ", values))));
    return new Run(list, pairs, rows);
  }

  private void readFolder(Path folder) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(folder)) {
      files = walk
          .filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json"))
          .filter(Files::isRegularFile).sorted().toList();
    }
    for (Path file : files) {
      readJson(file);
    }
  }

  /** A JSON Lines file, a JSON array, or one or more JSON objects one after another. */
  private void readJson(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file);
        MappingIterator<JsonNode> values = JSON.readValues(in)) {
      while (true) {
        int line;
        JsonNode node;
        try {
          if (!values.hasNextValue()) {
            break;
          }
          line = values.getParser().currentTokenLocation().getLineNr();
          node = values.nextValue();
        } catch (JsonProcessingException e) {
          throw new ReportException(file + ":" + e.getLocation().getLineNr()
              + ": not valid JSON: " + e.getOriginalMessage());
        }
        add(new JsonResult(node, file + ":" + line));
      }
    }
  }

  private void readCsv(Path file) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      CsvRecords csv = new CsvRecords(in, file.toString());
      List<String> header = csv.next();
      if (header == null || !header.contains("path") || !header.contains("q")) {
        throw new ReportException(file + ":1: not a maclip CSV (its header has no path and q"
            + " columns)");
      }
      for (List<String> fields = csv.next(); fields != null; fields = csv.next()) {
        String where = file + ":" + csv.recordLine();
        if (fields.size() != header.size()) {
          throw new ReportException(where + ": " + fields.size() + " fields, the header has "
              + header.size());
        }
        Map<String, String> record = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
          record.put(header.get(i), fields.get(i));
        }
        add(new CsvResult(header, record, where));
      }
    }
  }

  private void add(Result r) {
    String name = r.name();
    Path file = r.file(images);
    Map<String, Double> pairs = r.pairs();
    pairNames.addAll(pairs.keySet());
    ImageRow row = new ImageRow(name, file, r.score("q"), r.score("q_sim"), r.score("q_mag"),
        r.score("w_sim"), r.score("w_mag"), (int) r.count("views"), (int) r.count("width"),
        (int) r.count("height"), List.of(), r.map(), r.error());
    pending.add(new Pending(row, pairs));
    r.facts().forEach(this::fact);
  }

  private void fact(String label, String value) {
    if (value != null && !value.isEmpty()) {
      facts.computeIfAbsent(label, k -> new LinkedHashSet<>()).add(value);
    }
  }

  /** One result record, whatever file it came from. */
  private interface Result {
    String name();

    Path file(Path images);

    double score(String field);

    /** A whole number field (views, sizes); 0 when absent or null. */
    default long count(String field) {
      double v = score(field);
      return Double.isNaN(v) ? 0 : (long) v;
    }

    Map<String, Double> pairs();

    ViewMap map();

    String error();

    Map<String, String> facts();
  }

  /** A CLI JSON object ({@code path}) or a function's result document ({@code source}). */
  private static final class JsonResult implements Result {
    private final JsonNode node;
    private final String where;
    private final JsonNode source;

    JsonResult(JsonNode node, String where) {
      this.node = node;
      this.where = where;
      if (!node.isObject()) {
        throw new ReportException(where + ": not a maclip result (a JSON " + node.getNodeType()
            .toString().toLowerCase(Locale.ROOT) + ", not an object)");
      }
      this.source = node.get("source");
      if (!node.path("path").isTextual()
          && !(source != null && source.path("key").isTextual())) {
        throw new ReportException(where + ": not a maclip result (no \"path\", no \"source\")");
      }
      if (!node.has("q")) {
        throw new ReportException(where + ": not a maclip result (no \"q\")");
      }
    }

    @Override
    public String name() {
      return source != null
          ? "s3://" + source.path("bucket").asText() + "/" + source.path("key").asText()
          : node.get("path").asText();
    }

    @Override
    public Path file(Path images) {
      String relative = source != null ? source.path("key").asText() : node.get("path").asText();
      if (source != null && images == null) {
        return null;
      }
      return ResultsReader.resolve(images, relative);
    }

    @Override
    public double score(String field) {
      return number(node.get(field), field);
    }

    private double number(JsonNode value, String field) {
      if (value == null || value.isNull()) {
        return Double.NaN;
      }
      if (!value.isNumber()) {
        throw new ReportException(where + ": \"" + field + "\" is not a number: " + value);
      }
      return value.asDouble();
    }

    @Override
    public Map<String, Double> pairs() {
      Map<String, Double> pairs = new LinkedHashMap<>();
      node.path("pair_probs").fields().forEachRemaining(
          e -> pairs.put(e.getKey(), number(e.getValue(), "pair_probs." + e.getKey())));
      return pairs;
    }

    @Override
    public ViewMap map() {
      JsonNode views = node.get("view_scores");
      if (views == null || !views.isArray() || error() != null) {
        return null;
      }
      List<ViewMap.Patch> patches = new ArrayList<>();
      for (JsonNode v : views) {
        if (!v.path("is_global").asBoolean(false)) {
          patches.add(new ViewMap.Patch(v.path("left").asInt(), v.path("top").asInt(),
              v.path("width").asInt(), v.path("height").asInt(), number(v.get("q"), "view q")));
        }
      }
      return new ViewMap((int) count("prepared_width"), (int) count("prepared_height"), patches);
    }

    @Override
    public String error() {
      JsonNode error = node.get("error");
      return error == null || error.isNull() ? null : error.asText();
    }

    @Override
    public Map<String, String> facts() {
      if (source == null) {
        return Map.of();
      }
      Map<String, String> facts = new LinkedHashMap<>();
      JsonNode model = node.path("model");
      facts.put("model", model.path("backbone").asText("") + " "
          + model.path("pretrained").asText(""));
      facts.put("model sha256", model.path("sha256").asText(""));
      facts.put("method", node.path("method").asText(""));
      JsonNode params = node.path("params");
      if (params.isObject()) {
        facts.put("parameters", Run.parameters(params.path("lam").asDouble(),
            params.path("alpha").asDouble(), params.path("b_sim").asDouble(),
            params.path("b_mag").asDouble()));
      }
      JsonNode function = node.path("function");
      facts.put("function", function.path("name").asText("") + " "
          + function.path("version").asText(""));
      return facts;
    }
  }

  /** One CSV record of the CLI's columns; {@code p(...)} columns are pair probabilities. */
  private static final class CsvResult implements Result {
    private final List<String> header;
    private final Map<String, String> record;
    private final String where;

    CsvResult(List<String> header, Map<String, String> record, String where) {
      this.header = header;
      this.record = record;
      this.where = where;
    }

    @Override
    public String name() {
      return record.get("path");
    }

    @Override
    public Path file(Path images) {
      return ResultsReader.resolve(images, name());
    }

    @Override
    public double score(String field) {
      String text = record.getOrDefault(field, "");
      if (text.isEmpty()) {
        return Double.NaN;
      }
      try {
        return Double.parseDouble(text);
      } catch (NumberFormatException e) {
        throw new ReportException(where + ": column " + field + ": '" + text
            + "' is not a number");
      }
    }

    @Override
    public Map<String, Double> pairs() {
      Map<String, Double> pairs = new LinkedHashMap<>();
      for (String column : header) {
        if (column.startsWith("p(") && column.endsWith(")")) { // PairProbability.column's form
          pairs.put(column.substring(2, column.length() - 1), score(column));
        }
      }
      return pairs;
    }

    @Override
    public ViewMap map() {
      return null;
    }

    @Override
    public String error() {
      String error = record.getOrDefault("error", "");
      return error.isEmpty() ? null : error;
    }

    @Override
    public Map<String, String> facts() {
      return Map.of();
    }
  }

  /** {@code name} as a file under {@code images} (as written when absolute or no folder). */
  private static Path resolve(Path images, String name) {
    Path path = ImageRow.fileOf(name);
    return images == null || path == null || path.isAbsolute() ? path : images.resolve(path);
  }

  private static String reason(IOException e) {
    String message = e.getMessage();
    return e instanceof java.nio.file.NoSuchFileException ? "no such file"
        : message == null ? e.getClass().getSimpleName() : message;
  }
}
