package org.maclip.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.Prefs;
import ij.WindowManager;
import ij.gui.Overlay;
import ij.io.FileSaver;
import ij.measure.ResultsTable;
import ij.plugin.filter.Analyzer;
import ij.plugin.filter.GaussianBlur;
import ij.process.ImageProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.maclip.scoring.ImageInput;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.Scorer;
import org.maclip.scoring.ScorerOptions;

/**
 * The real ImageJ, headless, running the plugin's commands from macros with the tiny bundle
 * (random weights: the scores mean nothing, they pin the wiring).
 */
class MacroTest {
  private static Scorer library;
  private static final String MODEL = "model=[" + ImageJHarness.tinyBundle() + "]";

  @TempDir Path dir;

  @BeforeAll
  static void imagej() throws Exception {
    ImageJHarness.installCommands();
    library = Scorer.open(ImageJHarness.tinyBundle());
  }

  @AfterAll
  static void closeLibrary() {
    library.close();
  }

  @BeforeEach
  void forgetSettings() {
    Prefs.set(Settings.MODEL_KEY, "");
    Prefs.set(Settings.MAX_PIXELS_KEY, ScorerOptions.DEFAULT_MAX_PIXELS);
  }

  @AfterEach
  void close() {
    ImageJHarness.closeAll();
  }

  @ParameterizedTest
  @ValueSource(strings = {"rgb_300x250.png", "rgb_512x384.png", "rgb_150x100.png",
      "gray8_230x400.png", "palette_200x260.png"})
  void theScoreOfAnOpenImageIsTheLibrarysScoreOfItsFile(String name) {
    Path image = ImageJHarness.golden().resolve("images").resolve(name);
    var out = ImageJHarness.run("open('" + image + "');\n"
        + "run('MA-CLIP Score', '" + MODEL + "');\n"
        + "return d2s(getResult('Q', 0), 12) + ' ' + getResultString('Title', 0)"
        + " + ' ' + getResult('views', 0);");
    ScoreResult expected = library.score(image);
    String[] got = out.returned().split(" ");
    assertEquals(expected.q(), Double.parseDouble(got[0]), 1e-6);
    assertEquals(name, got[1]);
    assertEquals(expected.viewCount(), Integer.parseInt(got[2]));
  }

  @Test
  void aStackGivesOneRowPerSliceEqualToScoringEachSliceAloneAndAPlot() throws Exception {
    ImagePlus stack = threeSlices();
    WindowManager.setTempCurrentImage(stack);
    var out = ImageJHarness.run(
        "run('MA-CLIP Score', '" + MODEL + " stack dimension=all plot');\n"
            + "s = '';\n"
            + "for (i = 0; i < nResults; i++) s = s + getResult('Slice', i) + ':'"
            + " + d2s(getResult('Q', i), 12) + ' ';\n"
            + "return s + '| ' + getTitle() + ' | ' + isOpen('MA-CLIP Q of s');");
    String[] parts = out.returned().split("\\|");
    String[] rows = parts[0].trim().split(" ");
    assertEquals(3, rows.length);
    for (int k = 1; k <= 3; k++) {
      Path png = dir.resolve("slice" + k + ".png");
      new FileSaver(new ImagePlus("s" + k, stack.getStack().getProcessor(k)))
          .saveAsPng(png.toString());
      String[] row = rows[k - 1].split(":");
      assertEquals(k, Integer.parseInt(row[0]));
      assertEquals(library.score(png).q(), Double.parseDouble(row[1]), 1e-6);
    }
    assertNotEquals(rows[0].split(":")[1], rows[1].split(":")[1]);
    assertEquals("s", parts[1].trim()); // the stack is still the macro's image
    assertEquals("1", parts[2].trim()); // and the plot exists
  }

  @Test
  void aHyperstackIsScoredAlongTheChosenDimension() {
    ImagePlus imp = IJ.createHyperStack("h", 240, 230, 2, 2, 3, 8);
    for (int i = 1; i <= imp.getStackSize(); i++) {
      imp.getStack().getProcessor(i).noise(10 * i);
    }
    CompositeImage ci = new CompositeImage(imp, CompositeImage.COMPOSITE);
    ci.setPosition(1, 2, 1);
    WindowManager.setTempCurrentImage(ci);
    var out = ImageJHarness.run(
        "run('MA-CLIP Score', '" + MODEL + " stack dimension=frames');\n"
            + "s = ''; for (i = 0; i < nResults; i++) s = s + getResult('Slice', i) + ' ';\n"
            + "return s;");
    List<Integer> expected = List.of(ci.getStackIndex(1, 2, 1), ci.getStackIndex(1, 2, 2),
        ci.getStackIndex(1, 2, 3));
    assertEquals(expected.toString().replaceAll("[\\[\\],]", ""), out.returned().trim());
  }

  @Test
  void aFolderIsScoredIntoACsvAndABrokenFileIsListedWithItsReason() throws Exception {
    Path golden = ImageJHarness.golden().resolve("images");
    Files.copy(golden.resolve("rgb_300x250.png"), dir.resolve("a.png"));
    Files.copy(golden.resolve("gray8_230x400.png"), dir.resolve("b.png"));
    Files.write(dir.resolve("broken.tif"), new byte[] {'I', 'I', 42, 0, 8, 0, 0, 0, 1, 2, 3});
    Files.writeString(dir.resolve("notes.txt"), "not an image");
    Files.createDirectory(dir.resolve("sub"));
    Files.copy(golden.resolve("rgb_150x100.png"), dir.resolve("sub/c.png"));
    Path csv = dir.resolve("out/scores.csv");
    Files.createDirectory(dir.resolve("out"));
    var out = ImageJHarness.run("run('MA-CLIP Score Folder...', '" + MODEL + " folder=[" + dir
        + "] extensions=[png tif] save=[" + csv + "]');");
    List<String> lines = Files.readAllLines(csv);
    assertEquals("Title,Slice,Q,Q_sim,Q_mag,w_sim,w_mag,views,p(Good image),p(Sharp image),"
        + "p(sharp edges),p(High resolution image),p(Noise-free image),model,Error", lines.get(0));
    assertEquals(4, lines.size(), String.join("\n", lines));
    ResultsTable rt = Analyzer.getResultsTable();
    assertEquals("a.png", rt.getStringValue("Title", 0));
    assertEquals(library.score(dir.resolve("a.png")).q(), rt.getValue("Q", 0), 1e-6);
    assertEquals(library.score(dir.resolve("b.png")).q(), rt.getValue("Q", 1), 1e-6);
    assertEquals(library.score(dir.resolve("b.png")).pairs().get(1).probability(),
        rt.getValue("p(Sharp image)", 1), 1e-6);
    assertEquals("broken.tif", rt.getStringValue("Title", 2));
    assertTrue(Double.isNaN(rt.getValue("Q", 2)));
    assertEquals("FileInfo parameter error. Width or height <= 0. Width: 0 Height: 0 Offset: 0"
        + " Bytes/pixel: 1", rt.getStringValue("Error", 2));
    assertTrue(out.printed().contains("cannot score broken.tif: FileInfo"), out.printed());
    assertTrue(out.printed().contains("scored 2 of 3 images"), out.printed());

    ImageJHarness.run("run('MA-CLIP Score Folder...', '" + MODEL + " folder=[" + dir
        + "] include extensions=png');");
    assertEquals(3, Analyzer.getResultsTable().size());
    assertEquals("sub/c.png", Analyzer.getResultsTable().getStringValue("Title", 2));
    assertTrue(Files.exists(dir.resolve(ScoreFolderCommand.CSV_NAME)));
  }

  /** The table file is checked before the first image: nothing is scored for a bad path. */
  @Test
  void aTableFileThatCannotBeWrittenStopsTheRunBeforeTheFirstImage() throws Exception {
    Files.copy(ImageJHarness.golden().resolve("images/rgb_300x250.png"), dir.resolve("a.png"));
    Path csv = dir.resolve("no-such-folder/q.csv");
    var out = ImageJHarness.run("run('MA-CLIP Score Folder...', '" + MODEL + " folder=[" + dir
        + "] save=[" + csv + "]');\nreturn 'went on';");
    assertStopped(out, "MA-CLIP: cannot save the table to " + csv
        + " (Save table as): its folder does not exist");
    assertTrue(!out.printed().contains("scored"), out.printed());
    Path folderNamedCsv = Files.createDirectories(dir.resolve("q.csv"));
    assertStopped(ImageJHarness.run("run('MA-CLIP Score Folder...', '" + MODEL + " folder=["
        + dir + "] save=[" + folderNamedCsv + "]');\nreturn 'went on';"),
        "(Save table as): it is a folder");
    Path missing = dir.resolve("no-such-folder");
    assertStopped(ImageJHarness.run("run('MA-CLIP Score Folder...', '" + MODEL + " folder=["
        + missing + "]');\nreturn 'went on';"), "MA-CLIP: folder " + missing + " does not exist");
    Path existing = Files.writeString(dir.resolve("old.csv"), "kept");
    ScoreFolderCommand.checkWritable(existing);
    assertEquals("kept", Files.readString(existing)); // the check changes nothing in a file
    ScoreFolderCommand.checkWritable(dir.resolve("new.csv"));
    assertTrue(!Files.exists(dir.resolve("new.csv"))); // nor leaves one behind
  }

  /** A float plane with infinite values: scored as displayed, with one warning line. */
  @Test
  void aFloatPlaneWithInfiniteValuesGetsAWarningNamingItsDisplayRange() {
    var out = ImageJHarness.run("newImage('f', '32-bit ramp', 300, 250, 1);\n"
        + "setPixel(3, 4, NaN); setPixel(5, 6, 1/0); resetMinAndMax();\n"
        + "run('MA-CLIP Score', '" + MODEL + "');\n"
        + "run('MA-CLIP Score', '" + MODEL + " raw');\n"
        + "return '' + getResult('Q', 0);");
    String warning = "MA-CLIP: warning: f has 1 NaN and 1 infinite values, display range ";
    assertEquals(1, out.printed().lines().filter(l -> l.startsWith(warning)).count(),
        out.printed());
    assertTrue(out.printed().contains("to Infinity; it is scored as displayed"), out.printed());
  }

  @Test
  void theQualityMapOverlayAndImageShowThePerViewScores() {
    Path image = ImageJHarness.golden().resolve("images/rgb_512x384.png");
    var out = ImageJHarness.run("open('" + image + "');\n"
        + "run('MA-CLIP Quality Map', '" + MODEL + " map=Q output=overlay opacity=40"
        + " calibration view');\n"
        + "n = Overlay.size;\n"
        + "run('MA-CLIP Quality Map', '" + MODEL + " map=Q_sim output=image');\n"
        + "map = 'MA-CLIP Q_sim map of rgb_512x384.png';\n"
        + "title = replace(getTitle(), ' ', '_'); selectImage(map);\n"
        + "return '' + n + ' ' + title + ' ' + bitDepth() + ' ' + getWidth() + ' '"
        + " + d2s(getPixel(10, 10), 9) + ' ' + d2s(getPixel(500, 380), 9);");
    String[] got = out.returned().split(" ");
    ScoreResult expected = library.score(image);
    QualityMap map = QualityMap.of(expected, QualityMap.Field.Q_SIM);
    int patches = expected.viewCount() - 1;
    int cells = map.rows() * map.columns();
    assertTrue(Integer.parseInt(got[0]) > cells + patches, out.returned()); // heat + boxes + bar
    assertEquals("MA-CLIP_Q_sim_map_of_rgb_512x384.png", got[1]); // the map is the current image
    assertEquals("32", got[2]);
    assertEquals("512", got[3]);
    assertEquals(map.at(10, 10), Double.parseDouble(got[4]), 1e-6);
    assertEquals(map.at(500, 380), Double.parseDouble(got[5]), 1e-6);
  }

  @Test
  void overlayRoisAreNamedAndAReplacedMapLeavesOtherRoisAlone() {
    Path image = ImageJHarness.golden().resolve("images/rgb_300x250.png");
    ImagePlus imp = IJ.openImage(image.toString());
    Overlay mine = new Overlay(new ij.gui.OvalRoi(1, 1, 5, 5));
    imp.setOverlay(mine);
    WindowManager.setTempCurrentImage(imp);
    ImageJHarness.run("run('MA-CLIP Quality Map', '" + MODEL + " map=Q output=overlay');");
    int first = imp.getOverlay().size();
    ImageJHarness.run("run('MA-CLIP Quality Map', '" + MODEL + " map=Q output=overlay');");
    assertEquals(first, imp.getOverlay().size());
    assertEquals(null, imp.getOverlay().get(0).getName());
    assertTrue(imp.getOverlay().get(1).getName().startsWith(MapDrawing.NAME));
  }

  @Test
  void settingsAreRememberedAndUsedByLaterCommands() {
    ImageJHarness.run("run('MA-CLIP Settings...', '" + MODEL + " threads=1 batch=4 device=cpu');");
    assertEquals(ImageJHarness.tinyBundle().toString(), Prefs.get(Settings.MODEL_KEY, ""));
    assertEquals(4, Settings.load().batchSize());
    Path image = ImageJHarness.golden().resolve("images/rgb_300x250.png");
    var out = ImageJHarness.run("open('" + image + "'); run('MA-CLIP Score');"
        + " return getResultString('model', 0);");
    assertEquals(library.bundle().backbone() + "/" + library.bundle().pretrained(),
        out.returned());
  }

  @Test
  void aFolderScoresByDefaultTheFormatsImageJDoesNotKnowButMaclipReads() throws Exception {
    // A PNM file (P6), which ImageJ's own opener does not know: maclip's decoder reads it.
    int width = 240;
    int height = 230;
    byte[] header = ("P6\n" + width + " " + height + "\n255\n").getBytes();
    byte[] pixels = new byte[width * height * 3];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i * 7 % 251);
    }
    Path pnm = dir.resolve("photo.pnm");
    Files.write(pnm, java.nio.ByteBuffer.allocate(header.length + pixels.length).put(header)
        .put(pixels).array());
    Files.copy(ImageJHarness.golden().resolve("images/rgb_150x100.png"), dir.resolve("a.png"));
    ImageJHarness.run("run('MA-CLIP Score Folder...', '" + MODEL + " folder=[" + dir + "]');");
    ResultsTable rt = Analyzer.getResultsTable();
    assertEquals(2, rt.size());
    assertEquals("photo.pnm", rt.getStringValue("Title", 1));
    assertEquals(library.score(pnm).q(), rt.getValue("Q", 1), 1e-6);
  }

  @Test
  void anImageOverThePixelLimitNamesTheSettingsField() {
    ImageJHarness.run("run('MA-CLIP Settings...', '" + MODEL + " max=10000');");
    assertEquals(10_000, Settings.load().maxPixels());
    Path image = ImageJHarness.golden().resolve("images/rgb_150x100.png");
    var out = ImageJHarness.run("open('" + image + "'); run('MA-CLIP Score');");
    assertTrue(out.printed().contains("150x100 = 15000 pixels is over the limit of 10000"
        + " (decompression-bomb guard); raise it with 'Max pixels' in Plugins > MA-CLIP >"
        + " Settings... (max= in macros)"), out.printed());
  }

  // ---- errors: one line for the macro, no stack trace, and the macro stops ----

  @Test
  void noModelSet() {
    var out = scoreAfter("open('" + ImageJHarness.golden().resolve("images/rgb_150x100.png")
        + "');", "");
    assertStopped(out, "no model bundle is set");
  }

  @Test
  void aModelThatCannotBeRead() throws Exception {
    Files.writeString(dir.resolve("maclip.json"), "{not json");
    var out = scoreAfter("open('" + ImageJHarness.golden().resolve("images/rgb_150x100.png")
        + "');", "model=[" + dir + "]");
    assertStopped(out, dir.toString());
  }

  /** A model this machine computes differently (a self-check no machine matches): one line. */
  @Test
  void aModelFailingItsSelfCheck() throws Exception {
    Path bundle = Files.createDirectories(dir.resolve("off"));
    for (String name : org.maclip.scoring.Bundle.FILES) {
      Files.copy(ImageJHarness.tinyBundle().resolve(name), bundle.resolve(name));
    }
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var manifest = json.readTree(bundle.resolve("maclip.json").toFile());
    ((com.fasterxml.jackson.databind.node.ArrayNode) manifest.get("self_check").get("q"))
        .set(0, 0.0);
    json.writeValue(bundle.resolve("maclip.json").toFile(), manifest);
    var out = scoreAfter("open('" + ImageJHarness.golden().resolve("images/rgb_150x100.png")
        + "');", "model=[" + bundle + "]");
    assertStopped(out, "model bundle " + bundle + ": this machine computes the model differently"
        + " from where it was exported");
  }

  @Test
  void noImageOpen() {
    var out = scoreAfter("", MODEL);
    assertStopped(out, "no image is open");
  }

  @Test
  void anImageWithNothingDisplayed() {
    ImagePlus imp = IJ.createHyperStack("dark", 240, 240, 2, 1, 1, 8);
    CompositeImage ci = new CompositeImage(imp, CompositeImage.COMPOSITE);
    ci.setActiveChannels("00");
    WindowManager.setTempCurrentImage(ci);
    var out = scoreAfter("", MODEL);
    assertStopped(out, "dark: no channel is displayed");
  }

  @Test
  void aBadMacroValue() {
    var out = scoreAfter("newImage('x', '8-bit noise', 300, 300, 1);",
        MODEL + " stack dimension=z");
    assertStopped(out, "dimension=z is not one of all, slices, frames");
  }

  private static ImageJHarness.Outcome scoreAfter(String before, String options) {
    return ImageJHarness.run(before + "\nrun('MA-CLIP Score', '" + options + "');\n"
        + "return 'went on';");
  }

  private static void assertStopped(ImageJHarness.Outcome out, String message) {
    assertNotEquals("went on", out.returned(), "the macro should have stopped");
    assertTrue(out.printed().contains(message), out.printed());
    assertTrue(!out.printed().contains("\tat "), "no stack trace: " + out.printed());
  }

  /** An RGB stack: a photo, the photo blurred, the photo with noise. */
  private static ImagePlus threeSlices() {
    ImagePlus photo = IJ.openImage(ImageJHarness.golden().resolve("images/rgb_512x384.png")
        .toString());
    ImageProcessor sharp = photo.getProcessor();
    ImageProcessor blurred = sharp.duplicate();
    new GaussianBlur().blurGaussian(blurred, 4);
    ImageProcessor noisy = sharp.duplicate();
    noisy.noise(40);
    ImageStack stack = new ImageStack(sharp.getWidth(), sharp.getHeight());
    stack.addSlice(sharp);
    stack.addSlice(blurred);
    stack.addSlice(noisy);
    return new ImagePlus("s", stack);
  }
}
