package org.maclip.scoring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A model bundle ({@code docs/bundle.md}): what {@code maclip-pytorch export} wrote, read from a
 * directory or a {@code .zip} and checked. Every refusal is one {@link ModelException} whose
 * message names the bundle and the cause.
 *
 * @param path the directory or zip file
 * @param backbone open_clip model name, e.g. {@code RN50}
 * @param pretrained open_clip pretrained tag, {@code checkpoint:<file>} or {@code random}
 * @param family {@code resnet} or {@code vit}
 * @param embedDim D, the embedding dimension
 * @param view patch size, stride, minimum side and whether the global view is included
 * @param mean CLIP normalisation mean per channel (float32, as the reference holds it)
 * @param std CLIP normalisation standard deviation per channel
 * @param logitScale CLIP's logit scale, already exponentiated
 * @param prompts the antonym prompt pairs with their text embeddings
 * @param defaultMethod the method the bundle recommends
 * @param defaults λ, α, b_sim, b_mag the bundle recommends
 * @param sha256 checksum of {@code visual.onnx}: the model's identity in results; verified on
 *     loading when the manifest gives no {@code crc32} (which is verified instead: same guard
 *     against a damaged file, 30 times faster)
 * @param opset ONNX opset of {@code visual.onnx}
 * @param inputName ONNX input name ({@code views})
 * @param outputName ONNX output name ({@code embeddings})
 * @param versions versions of the tools that exported the bundle
 * @param precision {@code fp32}, or {@code int8} for a quantised {@code visual.onnx}
 * @param int8Check an int8 bundle's fidelity against fp32 as the exporter measured it on held-out
 *     images ({@code min_view_cosine}, {@code max_abs_q_diff}, {@code q_spearman}, ...); empty
 *     for fp32
 * @param int8FullRangeWeights an int8 bundle whose weights use all 8 bits (exported before
 *     weights were kept to 7: {@code quantization.reduce_range} absent): on x86-64 without VNNI
 *     its session needs ONNX Runtime's precision option not to saturate ({@link Encoder})
 * @param selfCheck the views and expected results a scorer checks this machine with when it
 *     opens the bundle; empty in bundles exported before self-checks
 */
public record Bundle(
    Path path,
    String backbone,
    String pretrained,
    String family,
    int embedDim,
    ViewSettings view,
    float[] mean,
    float[] std,
    double logitScale,
    List<PromptPair> prompts,
    Method defaultMethod,
    FusionParams defaults,
    String sha256,
    int opset,
    String inputName,
    String outputName,
    Map<String, String> versions,
    String precision,
    Map<String, Double> int8Check,
    boolean int8FullRangeWeights,
    Optional<SelfCheck> selfCheck) {

  /** The only {@code format} value a bundle has. */
  public static final String FORMAT = "maclip-bundle";

  /** The {@code format_version} this reader understands. */
  public static final int FORMAT_VERSION = 1;

  static final String MANIFEST = "maclip.json";

  /**
   * The files {@code maclip-pytorch export} writes into a bundle, manifest first: the model and
   * the self-check's views (which bundles exported before self-checks lack). Copy all of them.
   */
  public static final List<String> FILES = List.of(MANIFEST, "visual.onnx", "selfcheck.f32");

  /**
   * The bundle's view geometry.
   *
   * @param patchSize side of the square views, pixels
   * @param stride step between patches
   * @param minSide shorter side images are upscaled to
   * @param includeGlobal whether the whole image is a view too
   */
  public record ViewSettings(int patchSize, int stride, int minSide, boolean includeGlobal) {
    /** The views of this bundle with a scorer's max side and pre-resize. */
    public Views.Config config(int maxSide, Optional<ScorerOptions.Size> preResize) {
      return new Views.Config(patchSize, stride, minSide, includeGlobal, maxSide, preResize);
    }
  }

  /**
   * A bundle read once: its manifest with its ONNX model (the file of a bundle directory, which
   * ONNX Runtime reads itself, or the bytes of a zip's entry), checked against the manifest's
   * {@code onnx.crc32}, or {@link #sha256()} in a bundle without one.
   * A caller that needs the bundle (its defaults, say) before opening a scorer reads it with
   * {@link #read} and opens the scorer from it ({@link Scorer#open(Loaded, ScorerOptions)})
   * without reading and hashing the files again.
   */
  public static final class Loaded {
    private final Bundle bundle;
    private final String onnxFile;
    private final byte[] model;
    private final Path modelFile;
    private final String crc32;
    private final BundleFiles files;
    private final boolean recorded;
    private final long readNanos;
    private volatile long checksumNanos = -1;

    Loaded(Bundle bundle, String onnxFile, byte[] model, Path modelFile, String crc32,
        BundleFiles files, boolean recorded, long readNanos) {
      this.bundle = bundle;
      this.files = files;
      this.onnxFile = onnxFile;
      this.model = model;
      this.modelFile = modelFile;
      this.crc32 = crc32;
      this.recorded = recorded;
      this.readNanos = readNanos;
    }

    /** The bundle's manifest. */
    public Bundle bundle() {
      return bundle;
    }

    /** The ONNX model's bytes (a zip bundle's), or null when ONNX Runtime reads {@link #modelFile}. */
    byte[] model() {
      return model;
    }

    /** The ONNX model's file (a directory bundle's), or null for a zip bundle's bytes. */
    Path modelFile() {
      return modelFile;
    }

    /** The name of the model's file in the bundle ({@code onnx.file}). */
    String onnxFile() {
      return onnxFile;
    }

    /**
     * Whether {@link Bundle#sha256()}, the model's name in results, was verified against the
     * model's bytes: where the bundle arrived ({@link ModelIdentity}'s record), or by loading (a
     * bundle without crc32).
     */
    public boolean sha256Verified() {
      return recorded || crc32 == null;
    }

    /** The sha256 of the model's bytes, streamed from its file (or of a zip's bytes). */
    String modelSha256() {
      return model != null
          ? Checksum.SHA256.of(model)
          : Checksum.SHA256.of(bundle.path(), modelFile, onnxFile);
    }

    /**
     * A reader of the self-check's views as stored (float32, little-endian), checked against
     * their crc32 each time it reads them; it throws a {@link ModelException} when the bundle has
     * no self-check or its file is missing or damaged.
     */
    java.util.function.Supplier<byte[]> selfCheckViews() {
      Bundle bundle = this.bundle; // the reader holds no model bytes: a scorer keeps it
      BundleFiles files = this.files;
      return () -> {
        SelfCheck check = bundle.selfCheck().orElseThrow(
            () -> failure(bundle.path(), MANIFEST + " has no self_check"));
        byte[] data = files.read(check.file());
        String actual = Checksum.CRC32.of(data);
        if (!actual.equalsIgnoreCase(check.crc32())) {
          throw failure(
              bundle.path(),
              check.file() + " does not match the crc32 in " + MANIFEST + " (expected "
                  + check.crc32() + ", found " + actual + "): the file is damaged");
        }
        return data;
      };
    }

    /** Time spent reading the manifest (and a zip's model bytes), in nanoseconds. */
    long readNanos() {
      return readNanos;
    }

    /** Time spent on the model's checksum, in nanoseconds; -1 while not checked. */
    long checksumNanos() {
      return checksumNanos;
    }

    /**
     * The checksum the model is verified with: {@code crc32} when the manifest gives one, else
     * {@code sha256} (bundles exported before crc32 was added).
     */
    public String checksumName() {
      return crc32 != null ? "crc32" : "sha256";
    }

    /**
     * Checksums the model (streamed from its file, or its bytes) and refuses it when the sum is
     * not the manifest's.
     *
     * @throws ModelException when the model is damaged or unreadable
     */
    void verify() {
      long start = System.nanoTime();
      String expected = crc32 != null ? crc32 : bundle.sha256();
      Checksum sum = crc32 != null ? Checksum.CRC32 : Checksum.SHA256;
      String actual = model != null ? sum.of(model) : sum.of(bundle.path(), modelFile, onnxFile);
      if (!actual.equalsIgnoreCase(expected)) {
        throw failure(
            bundle.path(),
            onnxFile + " does not match the " + checksumName() + " in " + MANIFEST
                + " (expected " + expected + ", found " + actual
                + "): the file is damaged or was changed after export");
      }
      checksumNanos = System.nanoTime() - start;
    }
  }

  /** Reads and checks the bundle at {@code path} (a directory or a {@code .zip}). */
  public static Bundle load(Path path) {
    return read(path).bundle();
  }

  /**
   * Reads and checks the bundle and keeps its ONNX model's bytes for the encoder.
   *
   * @throws ModelException naming the bundle and why it cannot be used
   */
  public static Loaded read(Path path) {
    Loaded loaded = readUnverified(path);
    loaded.verify();
    return loaded;
  }

  /**
   * Reads and checks the manifest and finds the model, without hashing it: the caller must
   * {@link Loaded#verify()} before it uses anything the model computes.
   */
  static Loaded readUnverified(Path path) {
    long start = System.nanoTime();
    BundleFiles files = BundleFiles.open(path);
    JsonNode root = parseManifest(files);
    Manifest manifest = new Manifest(path, root);
    Bundle bundle = manifest.bundle();
    JsonNode onnx = manifest.object(root, "onnx");
    String onnxFile = manifest.fileName(onnx, "onnx");
    String crc32 = manifest.crc32(onnx);
    boolean recorded = ModelIdentity.checkRecord(bundle, onnxFile);
    if (files instanceof Directory directory) {
      Path file = directory.file(onnxFile);
      return new Loaded(bundle, onnxFile, null, file, crc32, files, recorded,
          System.nanoTime() - start);
    }
    byte[] model = files.read(onnxFile);
    return new Loaded(bundle, onnxFile, model, null, crc32, files, recorded,
        System.nanoTime() - start);
  }

  private static JsonNode parseManifest(BundleFiles files) {
    byte[] json = files.read(MANIFEST);
    try {
      return new ObjectMapper().readTree(new String(json, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw failure(
          files.path(),
          MANIFEST + " is not valid JSON (" + e.getOriginalMessage() + ", line "
              + e.getLocation().getLineNr() + ")");
    }
  }

  /** The one message format of every refusal: the bundle, then the cause. */
  static ModelException failure(Path path, String cause) {
    return new ModelException("model bundle " + path + ": " + cause);
  }

  /**
   * The two checksums a manifest gives for its model, as lower-case hex. CRC-32 (zip's, 8 hex
   * digits) is what loading verifies: it catches a damaged or swapped file as surely as SHA-256
   * would (a sum written beside the file guards against accidents, never against tampering) at
   * about 1 GB/s even under a C1-only JIT, where SHA-256 runs at 130 MB/s.
   */
  enum Checksum {
    CRC32,
    SHA256;

    /** The checksum of {@code file} of the bundle at {@code path}, streamed (not held whole). */
    String of(Path path, Path file, String name) {
      try (InputStream in = Files.newInputStream(file)) {
        Sum sum = start();
        byte[] buffer = new byte[1 << 20];
        for (int n; (n = in.read(buffer)) > 0; ) {
          sum.update(buffer, n);
        }
        return sum.hex();
      } catch (IOException e) {
        throw failure(path, "cannot read " + name + " (" + e.getMessage() + ")");
      }
    }

    String of(byte[] data) {
      Sum sum = start();
      sum.update(data, data.length);
      return sum.hex();
    }

    private interface Sum {
      void update(byte[] data, int length);

      String hex();
    }

    private Sum start() {
      if (this == CRC32) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        return new Sum() {
          public void update(byte[] data, int length) {
            crc.update(data, 0, length);
          }

          public String hex() {
            return String.format(java.util.Locale.ROOT, "%08x", crc.getValue());
          }
        };
      }
      MessageDigest digest;
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("the JVM has no SHA-256", e);
      }
      return new Sum() {
        public void update(byte[] data, int length) {
          digest.update(data, 0, length);
        }

        public String hex() {
          return HexFormat.of().formatHex(digest.digest());
        }
      };
    }
  }

  /** Typed, checked reads of {@code maclip.json}. */
  private record Manifest(Path path, JsonNode root) {
    Bundle bundle() {
      String format = text(root, "format");
      if (!FORMAT.equals(format)) {
        throw failure(path, MANIFEST + ": format is '" + format + "', not '" + FORMAT + "'");
      }
      int version = integer(root, "format_version");
      if (version != FORMAT_VERSION) {
        throw failure(
            path,
            "format version " + version + " is not supported (this maclip reads version "
                + FORMAT_VERSION + "); export the bundle again with a matching maclip-pytorch");
      }
      int embedDim = positive(root, "embed_dim");
      JsonNode view = object(root, "view");
      ViewSettings settings =
          new ViewSettings(
              positive(view, "patch_size"),
              positive(view, "stride"),
              positive(view, "min_side"),
              bool(view, "include_global"));
      if (settings.minSide() < settings.patchSize()) {
        throw failure(path, MANIFEST + ": view.min_side is smaller than view.patch_size");
      }
      JsonNode normalisation = object(root, "normalisation");
      float[] mean = floats(normalisation, "mean", 3);
      float[] std = floats(normalisation, "std", 3);
      for (float s : std) {
        if (!(s > 0)) {
          throw failure(path, MANIFEST + ": normalisation.std must be positive, found " + s);
        }
      }
      double logitScale = number(root, "logit_scale");
      if (!(logitScale > 0) || Double.isInfinite(logitScale)) {
        throw failure(path, MANIFEST + ": logit_scale must be a positive number");
      }
      JsonNode defaults = object(root, "defaults");
      JsonNode onnx = object(root, "onnx");
      return new Bundle(
          path,
          text(root, "backbone"),
          text(root, "pretrained"),
          text(root, "family"),
          embedDim,
          settings,
          mean,
          std,
          logitScale,
          prompts(embedDim),
          method(defaults),
          params(defaults),
          text(onnx, "sha256"),
          integer(onnx, "opset"),
          text(onnx, "input"),
          text(onnx, "output"),
          versions(),
          root.has("precision") ? text(root, "precision") : "fp32",
          int8Check(),
          int8FullRangeWeights(),
          selfCheck(embedDim, settings.patchSize()));
    }

    /** An int8 bundle whose manifest does not record 7-bit weights ({@code reduce_range}). */
    private boolean int8FullRangeWeights() {
      JsonNode quantization = root.get("quantization");
      boolean sevenBit = quantization != null && quantization.path("reduce_range").asBoolean();
      return root.path("precision").asText("fp32").equals("int8") && !sevenBit;
    }

    /** {@code self_check}, checked against the model's dimensions; empty when absent. */
    private Optional<SelfCheck> selfCheck(int embedDim, int patchSize) {
      JsonNode check = root.get("self_check");
      if (check == null || check.isNull()) {
        return Optional.empty();
      }
      if (!check.isObject()) {
        throw wrongType("self_check", "an object");
      }
      JsonNode shape = typed(check, "shape", n -> n.isArray() && n.size() == 4, "[N, 3, P, P]");
      int views = shape.get(0).asInt();
      if (views < 1 || shape.get(1).asInt() != 3 || shape.get(2).asInt() != patchSize
          || shape.get(3).asInt() != patchSize) {
        throw failure(path, MANIFEST + ": self_check.shape is " + shape + ", not [N, 3, "
            + patchSize + ", " + patchSize + "]");
      }
      JsonNode rows = typed(check, "embeddings", n -> n.isArray() && n.size() == views,
          "a list of " + views + " embeddings");
      float[][] embeddings = new float[views][];
      for (int i = 0; i < views; i++) {
        embeddings[i] = floats(rows, i, embedDim);
      }
      float[] q = floats(check, "q", views);
      double[] expectedQ = new double[views];
      for (int i = 0; i < views; i++) {
        expectedQ[i] = q[i];
      }
      JsonNode tolerance = object(check, "tolerance");
      String crc = crc32(check);
      if (crc == null) {
        throw failure(path, MANIFEST + ": self_check has no 'crc32'");
      }
      return Optional.of(new SelfCheck(
          fileName(check, "self_check"),
          crc,
          views,
          embeddings,
          expectedQ,
          method(object(check, "scored_with")),
          params(object(check, "scored_with")),
          number(tolerance, "embedding"),
          number(tolerance, "q"),
          check.path("computed_on").isObject() ? describe(check.get("computed_on")) : "unknown"));
    }

    /** {@code {"arch": .., "cpu": .., "onnxruntime": ..}} as one line. */
    private static String describe(JsonNode machine) {
      return machine.path("arch").asText("?") + ", " + machine.path("cpu").asText("?")
          + ", ONNX Runtime " + machine.path("onnxruntime").asText("?");
    }

    /** The numbers of {@code int8_check} (absent from fp32 bundles), in the manifest's order. */
    private Map<String, Double> int8Check() {
      Map<String, Double> out = new LinkedHashMap<>();
      JsonNode node = root.get("int8_check");
      if (node != null && node.isObject()) {
        node.fields().forEachRemaining(e -> {
          if (e.getValue().isNumber()) {
            out.put(e.getKey(), e.getValue().asDouble());
          }
        });
      }
      return java.util.Collections.unmodifiableMap(out);
    }

    private List<PromptPair> prompts(int embedDim) {
      JsonNode list = root.get("prompts");
      if (list == null || !list.isArray() || list.isEmpty()) {
        throw failure(path, MANIFEST + ": 'prompts' must be a non-empty list of prompt pairs");
      }
      List<PromptPair> pairs = new ArrayList<>();
      for (JsonNode pair : list) {
        float[] positive = floats(pair, "positive_embedding", -1);
        float[] negative = floats(pair, "negative_embedding", -1);
        String name = text(pair, "positive");
        if (positive.length != embedDim || negative.length != embedDim) {
          throw failure(
              path,
              "embed_dim is " + embedDim + " but the embeddings of prompt '" + name + "' have "
                  + positive.length + " and " + negative.length + " values");
        }
        pairs.add(new PromptPair(name, text(pair, "negative"), positive, negative));
      }
      return List.copyOf(pairs);
    }

    private Method method(JsonNode defaults) {
      String id = text(defaults, "method");
      try {
        return Method.parse(id);
      } catch (IllegalArgumentException e) {
        throw failure(path, MANIFEST + ": defaults." + e.getMessage());
      }
    }

    private FusionParams params(JsonNode defaults) {
      try {
        return new FusionParams(
            number(defaults, "lam"),
            number(defaults, "alpha"),
            number(defaults, "b_sim"),
            number(defaults, "b_mag"));
      } catch (IllegalArgumentException e) {
        throw failure(path, MANIFEST + ": defaults: " + e.getMessage());
      }
    }

    private Map<String, String> versions() {
      Map<String, String> out = new LinkedHashMap<>();
      JsonNode node = root.get("versions");
      if (node != null && node.isObject()) {
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
      }
      return Map.copyOf(out);
    }

    JsonNode object(JsonNode parent, String key) {
      return typed(parent, key, JsonNode::isObject, "an object");
    }

    String text(JsonNode parent, String key) {
      return typed(parent, key, JsonNode::isTextual, "a string").asText();
    }

    /**
     * {@code file} of {@code parent} ({@code onnx.file}, {@code self_check.file}): the name of a
     * file at the bundle's top level (as a zip bundle holds it), so a manifest cannot reach
     * outside its bundle with {@code ../}, a subfolder, an absolute path, a drive or a Windows
     * stream ({@code name:stream}).
     */
    String fileName(JsonNode parent, String parentName) {
      String name = text(parent, "file");
      if (name.isEmpty() || name.equals(".") || name.equals("..")
          || name.chars().anyMatch(c -> c == '/' || c == '\\' || c == ':' || c < ' ')) {
        throw failure(path, MANIFEST + ": " + parentName + ".file must name a file at the"
            + " bundle's top level, found '" + name + "'");
      }
      return name;
    }

    /** {@code crc32} of {@code parent}: 8 hex digits, or null when absent (an older bundle). */
    String crc32(JsonNode parent) {
      if (!parent.has("crc32")) {
        return null;
      }
      String crc = text(parent, "crc32");
      if (!crc.matches("[0-9a-fA-F]{8}")) {
        throw failure(path, MANIFEST + ": 'crc32' must be 8 hex digits, found '" + crc + "'");
      }
      return crc;
    }

    int integer(JsonNode parent, String key) {
      return typed(parent, key, n -> n.canConvertToInt() && n.isIntegralNumber(), "an integer")
          .asInt();
    }

    int positive(JsonNode parent, String key) {
      int value = integer(parent, key);
      if (value < 1) {
        throw failure(path, MANIFEST + ": '" + key + "' must be positive, found " + value);
      }
      return value;
    }

    double number(JsonNode parent, String key) {
      return typed(parent, key, JsonNode::isNumber, "a number").asDouble();
    }

    boolean bool(JsonNode parent, String key) {
      return typed(parent, key, JsonNode::isBoolean, "true or false").asBoolean();
    }

    /** A list of numbers as float32; {@code size < 0} accepts any length. */
    float[] floats(JsonNode parent, String key, int size) {
      JsonNode node = typed(parent, key, n -> n.isArray() && (size < 0 || n.size() == size),
          size >= 0 ? "a list of " + size + " numbers" : "a list of numbers");
      return floats(node, key);
    }

    /** Row {@code index} of a list of lists, {@code size} numbers long, as float32. */
    float[] floats(JsonNode rows, int index, int size) {
      JsonNode node = rows.get(index);
      String key = "self_check.embeddings[" + index + "]";
      if (!node.isArray() || node.size() != size) {
        throw wrongType(key, "a list of " + size + " numbers");
      }
      return floats(node, key);
    }

    private float[] floats(JsonNode node, String key) {
      float[] out = new float[node.size()];
      for (int i = 0; i < out.length; i++) {
        if (!node.get(i).isNumber()) {
          throw wrongType(key, "a list of numbers");
        }
        out[i] = (float) node.get(i).asDouble();
      }
      return out;
    }

    private JsonNode field(JsonNode parent, String key) {
      JsonNode node = parent.get(key);
      if (node == null || node.isNull()) {
        throw failure(path, MANIFEST + " has no '" + key + "'");
      }
      return node;
    }

    /** The field, when {@code kind} accepts it; else a failure saying what it must be. */
    private JsonNode typed(
        JsonNode parent, String key, Predicate<JsonNode> kind, String expected) {
      JsonNode node = field(parent, key);
      if (!kind.test(node)) {
        throw wrongType(key, expected);
      }
      return node;
    }

    private ModelException wrongType(String key, String expected) {
      return failure(path, MANIFEST + ": '" + key + "' must be " + expected);
    }
  }

  /** Files of a bundle directory or zip, by name. */
  private interface BundleFiles {
    Path path();

    byte[] read(String name);

    static BundleFiles open(Path path) {
      if (Files.isDirectory(path)) {
        return new Directory(path);
      }
      if (!Files.exists(path)) {
        throw failure(path, "no such directory or file");
      }
      return Zip.open(path);
    }
  }

  private record Directory(Path path) implements BundleFiles {
    /** The file {@code name} of the bundle, which must exist. */
    Path file(String name) {
      Path file = path.resolve(name);
      if (!Files.isRegularFile(file)) {
        throw failure(path, "missing " + name);
      }
      return file;
    }

    @Override
    public byte[] read(String name) {
      Path file = file(name);
      try {
        return Files.readAllBytes(file);
      } catch (IOException e) {
        throw failure(path, "cannot read " + name + " (" + e.getMessage() + ")");
      }
    }
  }

  private record Zip(Path path) implements BundleFiles {
    static Zip open(Path path) {
      read(path, null);
      return new Zip(path);
    }

    @Override
    public byte[] read(String name) {
      byte[] data = read(path, name);
      if (data == null) {
        throw failure(path, "missing " + name + " at the top level of the .zip");
      }
      return data;
    }

    /** The bytes of entry {@code name} (null if absent); with a null name, checks the zip. */
    private static byte[] read(Path path, String name) {
      try (ZipFile zip = new ZipFile(path.toFile())) {
        if (name == null) {
          return null;
        }
        ZipEntry entry = zip.getEntry(name);
        if (entry == null || entry.isDirectory()) {
          return null;
        }
        try (InputStream in = zip.getInputStream(entry)) {
          return in.readAllBytes();
        }
      } catch (ZipException e) {
        throw failure(path, "not a bundle directory or a valid .zip (" + e.getMessage() + ")");
      } catch (IOException e) {
        throw failure(path, "cannot read the .zip (" + e.getMessage() + ")");
      }
    }
  }
}
