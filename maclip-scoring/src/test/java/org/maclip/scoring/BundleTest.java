package org.maclip.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Loading bundles: what a good one holds, and one clear message for each refusal. */
class BundleTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static Path tinyrn() {
    return GoldenTest.golden().resolve("tinyrn");
  }

  /** A copy of the tiny ResNet bundle, in a new folder, its manifest changed by {@code edit}. */
  Path copy(Consumer<ObjectNode> edit) throws IOException {
    return copy(dir, edit);
  }

  /** A copy of the tiny ResNet bundle, in a new folder in {@code dir}, changed by {@code edit}. */
  static Path copy(Path dir, Consumer<ObjectNode> edit) throws IOException {
    Path bundle = Files.createTempDirectory(dir, "bundle");
    Files.copy(tinyrn().resolve("visual.onnx"), bundle.resolve("visual.onnx"));
    ObjectNode manifest = (ObjectNode) JSON.readTree(tinyrn().resolve("maclip.json").toFile());
    edit.accept(manifest);
    JSON.writeValue(bundle.resolve("maclip.json").toFile(), manifest);
    return bundle;
  }

  /** The message of the refusal to open {@code bundle}, checked to name it. */
  static String refusal(Path bundle) {
    ModelException e = assertThrows(ModelException.class, () -> Scorer.open(bundle).close());
    assertTrue(e.getMessage().startsWith("model bundle " + bundle + ": "), e.getMessage());
    return e.getMessage().substring(("model bundle " + bundle + ": ").length());
  }

  @Test
  void theTinyBundleLoads() {
    Bundle bundle = Bundle.load(tinyrn());
    assertEquals("TinyRN", bundle.backbone());
    assertEquals("random", bundle.pretrained());
    assertEquals("resnet", bundle.family());
    assertEquals(32, bundle.embedDim());
    assertEquals(new Bundle.ViewSettings(224, 128, 224, true), bundle.view());
    assertEquals(5, bundle.prompts().size());
    assertEquals("Good image", bundle.prompts().get(0).positive());
    assertEquals(Method.MACLIP, bundle.defaultMethod());
    assertEquals(FusionParams.PAPER, bundle.defaults());
    assertEquals("views", bundle.inputName());
    assertEquals(0.48145467f, bundle.mean()[0]);
  }

  @Test
  void aMissingBundleOrFileIsNamed() throws IOException {
    assertEquals("no such directory or file", refusal(dir.resolve("nothing")));
    Path bundle = copy(m -> {});
    Files.delete(bundle.resolve("visual.onnx"));
    assertEquals("missing visual.onnx", refusal(bundle));
    Files.delete(bundle.resolve("maclip.json"));
    assertEquals("missing maclip.json", refusal(bundle));
  }

  @Test
  void anUnknownFormatOrVersionIsRefused() throws IOException {
    assertEquals(
        "maclip.json: format is 'something-else', not 'maclip-bundle'",
        refusal(copy(m -> m.put("format", "something-else"))));
    assertEquals(
        "format version 2 is not supported (this maclip reads version 1); export the bundle again"
            + " with a matching maclip-pytorch",
        refusal(copy(m -> m.put("format_version", 2))));
  }

  @Test
  void aChangedModelFailsItsChecksum() throws IOException {
    Path bundle = copy(m -> {});
    byte[] model = Files.readAllBytes(bundle.resolve("visual.onnx"));
    model[model.length - 1] ^= 1;
    Files.write(bundle.resolve("visual.onnx"), model);
    String reason = refusal(bundle);
    assertTrue(reason.startsWith("visual.onnx does not match the crc32 in maclip.json"), reason);
  }

  @Test
  void aBundleWithoutCrc32IsCheckedBySha256() throws IOException {
    Path good = copy(m -> ((ObjectNode) m.get("onnx")).remove("crc32"));
    assertEquals("sha256", Bundle.readUnverified(good).checksumName());
    Bundle.read(good); // passes: its sha256 is right
    Path bundle = copy(m -> ((ObjectNode) m.get("onnx")).remove("crc32"));
    byte[] model = Files.readAllBytes(bundle.resolve("visual.onnx"));
    model[model.length - 1] ^= 1;
    Files.write(bundle.resolve("visual.onnx"), model);
    String reason = refusal(bundle);
    assertTrue(reason.startsWith("visual.onnx does not match the sha256 in maclip.json"), reason);
  }

  @Test
  void theCrc32IsWhatLoadingChecksAndTheSha256OnlyNamesTheModel() throws IOException {
    assertEquals("crc32", Bundle.readUnverified(tinyrn()).checksumName());
    String crc = Bundle.Checksum.CRC32.of(Files.readAllBytes(tinyrn().resolve("visual.onnx")));
    assertEquals(crc, JSON.readTree(tinyrn().resolve("maclip.json").toFile())
        .get("onnx").get("crc32").asText(), "the committed manifest's crc32 is its model's");
    String reason = refusal(copy(m -> ((ObjectNode) m.get("onnx")).put("crc32", "0badc0de")));
    assertTrue(reason.startsWith("visual.onnx does not match the crc32 in maclip.json (expected"
        + " 0badc0de, found " + crc + ")"), reason);
    Bundle.read(copy(m -> ((ObjectNode) m.get("onnx")).put("sha256", "ab".repeat(32))));
    assertTrue(refusal(copy(m -> ((ObjectNode) m.get("onnx")).put("crc32", "12345")))
        .startsWith("maclip.json: 'crc32' must be 8 hex digits, found '12345'"));
  }

  @Test
  void aChangedModelFailsItsChecksumOnEveryWayIn() throws IOException {
    Path bundle = copy(m -> {});
    byte[] model = Files.readAllBytes(bundle.resolve("visual.onnx"));
    model[model.length / 2] ^= 1;
    Files.write(bundle.resolve("visual.onnx"), model);
    String expected = "model bundle " + bundle + ": visual.onnx does not match the crc32";
    ModelException read = assertThrows(ModelException.class, () -> Bundle.read(bundle));
    assertTrue(read.getMessage().startsWith(expected), read.getMessage());
    ModelException load = assertThrows(ModelException.class, () -> Bundle.load(bundle));
    assertTrue(load.getMessage().startsWith(expected), load.getMessage());
    // Checked in the background: the scorer opens, but never gives a result.
    Path image = ScorerTest.image("rgb_150x100.png");
    try (Scorer scorer = Scorer.openInBackground(bundle, ScorerOptions.defaults())) {
      java.util.List<ScoreResult> seen = new java.util.ArrayList<>();
      ModelException score =
          assertThrows(
              ModelException.class,
              () -> scorer.scoreEach(
                  java.util.List.of(ImageInput.of(image)), (r, done, total) -> seen.add(r)));
      assertTrue(score.getMessage().startsWith(expected), score.getMessage());
      assertTrue(seen.isEmpty());
      assertThrows(ModelException.class, () -> scorer.score(image));
      assertThrows(ModelException.class, scorer::awaitReady);
    }
  }

  @Test
  void aScorerCheckingInTheBackgroundScoresAsTheOthers() {
    Path image = ScorerTest.image("rgb_300x250.png");
    double q;
    try (Scorer scorer = Scorer.open(tinyrn())) {
      q = scorer.score(image).q();
      assertTrue(scorer.loadTimes().checksumMillis() >= 0);
    }
    try (Scorer scorer = Scorer.openInBackground(tinyrn(), ScorerOptions.defaults())) {
      assertEquals(q, scorer.score(image).q());
      scorer.awaitReady();
      assertTrue(scorer.loadTimes().checksumMillis() >= 0);
      assertTrue(scorer.loadTimes().sessionMillis() >= 0);
    }
  }

  @Test
  void aModelOnnxRuntimeRefusesFailsEveryCallThatScoresOfAScorerOpenedInTheBackground()
      throws IOException {
    // Cut short, with the crc32 of what is left: the checksum passes, the session cannot be made.
    byte[] whole = Files.readAllBytes(tinyrn().resolve("visual.onnx"));
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length / 2);
    Path bundle = copy(m -> ((ObjectNode) m.get("onnx"))
        .put("crc32", Bundle.Checksum.CRC32.of(cut)));
    Files.write(bundle.resolve("visual.onnx"), cut);
    String expected = "model bundle " + bundle + ": ONNX Runtime cannot load the model";
    Path image = ScorerTest.image("rgb_150x100.png");
    try (Scorer scorer = Scorer.openInBackground(bundle, ScorerOptions.defaults())) {
      ModelException score = assertThrows(ModelException.class, () -> scorer.score(image));
      assertTrue(score.getMessage().startsWith(expected), score.getMessage());
      assertThrows(ModelException.class, scorer::awaitReady);
      assertThrows(ModelException.class, scorer::device);
      assertEquals(-1, scorer.loadTimes().sessionMillis());
    }
    ModelException open = assertThrows(ModelException.class, () -> Scorer.open(bundle));
    assertTrue(open.getMessage().startsWith(expected), open.getMessage());
  }

  @Test
  void anEmbeddingDimensionThatDoesNotMatchThePromptsIsRefused() throws IOException {
    assertEquals(
        "embed_dim is 31 but the embeddings of prompt 'Good image' have 32 and 32 values",
        refusal(copy(m -> m.put("embed_dim", 31))));
  }

  @Test
  void anEmbeddingDimensionThatDoesNotMatchTheModelIsRefused() throws IOException {
    Path bundle =
        copy(
            m -> {
              m.remove("self_check"); // whose 32-value embeddings would be refused first
              m.put("embed_dim", 16);
              for (var pair : m.get("prompts")) {
                for (String key : new String[] {"positive_embedding", "negative_embedding"}) {
                  ArrayNode values = (ArrayNode) pair.get(key);
                  while (values.size() > 16) {
                    values.remove(values.size() - 1);
                  }
                }
              }
            });
    assertEquals("the ONNX output has shape [-1, 32] but embed_dim is 16", refusal(bundle));
  }

  @Test
  void aViewSizeThatDoesNotMatchTheModelInputIsRefused() throws IOException {
    Path bundle = copy(m -> {
      m.remove("self_check"); // whose 224-pixel views would be refused first
      ((ObjectNode) m.get("view")).put("patch_size", 112);
    });
    assertEquals(
        "the ONNX input has shape [-1, 3, 224, 224], not [N, 3, 112, 112]", refusal(bundle));
  }

  static Stream<Arguments> wronglyTypedFields() {
    return Stream.of(
        Arguments.of("'view' must be an object", edit(m -> m.put("view", 224))),
        Arguments.of("'backbone' must be a string", edit(m -> m.put("backbone", 50))),
        Arguments.of("'embed_dim' must be an integer", edit(m -> m.put("embed_dim", 32.5))),
        Arguments.of("'logit_scale' must be a number", edit(m -> m.put("logit_scale", "100"))),
        Arguments.of("'include_global' must be true or false",
            edit(m -> ((ObjectNode) m.get("view")).put("include_global", 1))),
        Arguments.of("'mean' must be a list of 3 numbers",
            edit(m -> ((ObjectNode) m.get("normalisation")).putArray("mean").add(0.5))),
        Arguments.of("'positive_embedding' must be a list of numbers",
            edit(m -> ((ObjectNode) m.get("prompts").get(0)).put("positive_embedding", 1))));
  }

  /** Gives a lambda its type: a manifest edit ({@code Arguments.of} takes objects). */
  private static Consumer<ObjectNode> edit(Consumer<ObjectNode> edit) {
    return edit;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wronglyTypedFields")
  void aFieldOfTheWrongTypeIsNamedWithTheTypeItMustHave(String reason, Consumer<ObjectNode> edit)
      throws IOException {
    assertEquals("maclip.json: " + reason, refusal(copy(edit)));
  }

  /**
   * A manifest naming a model outside its bundle is refused, though each of these names a real,
   * good model here: the copy's parent folder holds one, and so does the tiny bundle.
   */
  @Test
  void aModelOutsideTheBundleIsRefused() throws IOException {
    Files.copy(tinyrn().resolve("visual.onnx"), dir.resolve("visual.onnx"));
    String absolute = tinyrn().resolve("visual.onnx").toAbsolutePath().toString();
    for (String name : new String[] {"../visual.onnx", absolute, "..\\visual.onnx", "..", ""}) {
      Path bundle = copy(m -> ((ObjectNode) m.get("onnx")).put("file", name));
      assertEquals("maclip.json: onnx.file must name a file at the bundle's top level, found '"
          + name + "'", refusal(bundle));
    }
    Path nested = copy(m -> ((ObjectNode) m.get("onnx")).put("file", "sub/visual.onnx"));
    Files.createDirectory(nested.resolve("sub"));
    Files.copy(tinyrn().resolve("visual.onnx"), nested.resolve("sub/visual.onnx"));
    assertTrue(refusal(nested).endsWith("found 'sub/visual.onnx'"), refusal(nested));
    Path zip = dir.resolve("outside.zip");
    zip(zip, "maclip.json", "visual.onnx");
    try (java.nio.file.FileSystem fs = java.nio.file.FileSystems.newFileSystem(zip)) {
      Path manifest = fs.getPath("maclip.json");
      ObjectNode m = (ObjectNode) JSON.readTree(Files.readAllBytes(manifest));
      ((ObjectNode) m.get("onnx")).put("file", "C:visual.onnx");
      Files.write(manifest, JSON.writeValueAsBytes(m));
    }
    assertTrue(refusal(zip).endsWith("found 'C:visual.onnx'"), refusal(zip));
    Files.copy(tinyrn().resolve("selfcheck.f32"), dir.resolve("selfcheck.f32"));
    Path views = copy(m -> ((ObjectNode) m.get("self_check")).put("file", "../selfcheck.f32"));
    assertEquals("maclip.json: self_check.file must name a file at the bundle's top level, found"
        + " '../selfcheck.f32'", refusal(views));
  }

  @Test
  void brokenJsonAndMissingFieldsAreNamed() throws IOException {
    Path bundle = copy(m -> m.remove("logit_scale"));
    assertEquals("maclip.json has no 'logit_scale'", refusal(bundle));
    Files.writeString(bundle.resolve("maclip.json"), "{\"format\": ");
    assertTrue(refusal(bundle).startsWith("maclip.json is not valid JSON ("), refusal(bundle));
  }

  @Test
  void aZipBundleScoresAsTheDirectoryDoes() throws IOException {
    Path zip = dir.resolve("tinyrn.zip");
    zip(zip, Bundle.FILES.toArray(String[]::new));
    Path image = GoldenTest.golden().resolve("images/rgb_300x250.png");
    try (Scorer fromZip = Scorer.open(zip);
        Scorer fromDir = Scorer.open(tinyrn())) {
      assertEquals(fromDir.score(image).q(), fromZip.score(image).q(), 0.0);
      assertEquals(zip, fromZip.bundle().path());
    }
  }

  @Test
  void aZipWithoutTheModelOrNotAZipIsRefused() throws IOException {
    Path zip = dir.resolve("partial.zip");
    zip(zip, "maclip.json");
    assertEquals("missing visual.onnx at the top level of the .zip", refusal(zip));
    Path text = Files.writeString(dir.resolve("bundle.zip"), "not a zip");
    assertTrue(refusal(text).startsWith("not a bundle directory or a valid .zip ("), refusal(text));
  }

  private static void zip(Path zip, String... names) throws IOException {
    try (OutputStream file = Files.newOutputStream(zip);
        ZipOutputStream out = new ZipOutputStream(file)) {
      for (String name : names) {
        out.putNextEntry(new ZipEntry(name));
        out.write(Files.readAllBytes(tinyrn().resolve(name)));
        out.closeEntry();
      }
    }
  }
}
