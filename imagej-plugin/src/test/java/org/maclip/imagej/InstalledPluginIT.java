package org.maclip.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maclip.scoring.Scorer;

/**
 * The packaged plugin installed from the update-site folder as in Fiji (plugins/MA_CLIP.jar,
 * jars/onnxruntime-*.jar without native libraries, lib/&lt;platform&gt;/ with them) in a separate,
 * unmodified ImageJ 1.x process running macros with {@code ImageJ -batch}. ImageJ 1.x
 * builds its command table with its AWT menus, so this needs a display: the DISPLAY given, or a
 * virtual one from xvfb-run.
 */
class InstalledPluginIT {
  private static final Path GOLDEN = ImageJHarness.golden().toAbsolutePath();
  private static final String MODEL = "model=[" + GOLDEN.resolve("tinyrn") + "]";
  private static Scorer library;

  @TempDir Path dir;

  @BeforeAll
  static void open() {
    library = Scorer.open(GOLDEN.resolve("tinyrn"));
  }

  @AfterAll
  static void close() {
    library.close();
  }

  @Test
  void theInstalledPluginScoresAnImageAsTheLibraryDoes() throws Exception {
    Path image = GOLDEN.resolve("images/rgb_512x384.png");
    String out = batch("open('" + image + "');\n"
        + "run('MA-CLIP Score', '" + MODEL + "');\n"
        + "print('Q=' + d2s(getResult('Q', 0), 12) + ' views=' + getResult('views', 0));\n");
    Matcher m = Pattern.compile("Q=([0-9.]+) views=([0-9]+)").matcher(out);
    assertTrue(m.find(), out);
    assertEquals(library.score(image).q(), Double.parseDouble(m.group(1)), 1e-6);
    assertEquals(library.score(image).viewCount(), Integer.parseInt(m.group(2)));
    assertFalse(out.contains("Exception"), out);
  }

  @Test
  void aStackAndAFolderWithABrokenFile() throws Exception {
    Path photos = Files.createDirectory(dir.resolve("photos"));
    Files.copy(GOLDEN.resolve("images/rgb_300x250.png"), photos.resolve("a.png"));
    Files.write(photos.resolve("b.tif"), "not a tiff".getBytes(StandardCharsets.UTF_8));
    Path csv = dir.resolve("scores.csv");
    String out = batch("open('" + GOLDEN.resolve("images/rgb_512x384.png") + "');\n"
        + "run('Duplicate...', 'title=blurred');\n"
        + "run('Gaussian Blur...', 'sigma=4');\n"
        + "run('Images to Stack', 'use');\n"
        + "run('MA-CLIP Score', '" + MODEL + " stack plot');\n"
        + "print('rows=' + nResults + ' first=' + d2s(getResult('Q', 0), 12)"
        + " + ' image=' + getTitle());\n"
        + "run('MA-CLIP Score Folder...', '" + MODEL + " folder=[" + photos + "] save=[" + csv
        + "]');\n"
        + "print('folder rows=' + nResults + ' error=' + getResultString('Error', 1));\n");
    assertTrue(out.contains("rows=2 first="), out);
    Matcher m = Pattern.compile("first=([0-9.]+) image=(\\S+)").matcher(out);
    assertTrue(m.find(), out);
    assertEquals(library.score(GOLDEN.resolve("images/rgb_512x384.png")).q(),
        Double.parseDouble(m.group(1)), 1e-6);
    assertEquals("Stack", m.group(2));
    assertTrue(out.contains(
        "folder rows=2 error=ImageJ could not open it as an image (format: txt)"), out);
    List<String> lines = Files.readAllLines(csv);
    assertEquals(3, lines.size());
    assertTrue(lines.get(1).startsWith("a.png,1,"), lines.get(1));
  }

  /**
   * Score Folder on photographs that ImageJ's opener reads differently from the command line, and
   * on a folder's worst entries: every photograph gets the library's Q (the command line's), a
   * truncated file the library's refusal; the run finishes, saves every row and names every odd
   * entry. A subfolder without read permission is tested only where permissions bind (not as
   * root, whom no permission bit stops).
   */
  @Test
  void aFolderOfPhotographsAndOddEntriesGetsTheLibrarysScoresAndARowEach() throws Exception {
    Path corpus = Files.createDirectory(dir.resolve("corpus"));
    List<Path> photos = new ArrayList<>();
    for (int orientation = 1; orientation <= 8; orientation++) {
      photos.add(PhotoFiles.jpegWithOrientation(corpus, orientation));
    }
    photos.addAll(List.of(PhotoFiles.grayAlphaPng(corpus), PhotoFiles.cmykJpeg(corpus),
        Files.copy(GOLDEN.resolve("images/rgba_240x300.png"), corpus.resolve("rgba.png")),
        Files.copy(GOLDEN.resolve("images/palette_200x260.png"), corpus.resolve("palette.png"))));
    Path gray8Tiff = corpus.resolve("gray8.tif");
    javax.imageio.ImageIO.write(javax.imageio.ImageIO.read(
        GOLDEN.resolve("images/gray8_230x400.png").toFile()), "tif", gray8Tiff.toFile());
    photos.add(gray8Tiff);
    Path truncated = PhotoFiles.truncatedJpeg(corpus);
    PhotoFiles.tiffChain(corpus, "loop.tif", false);
    PhotoFiles.tiffChain(corpus, "self_loop.tif", true);
    Path sub = Files.createDirectory(corpus.resolve("sub"));
    Files.copy(GOLDEN.resolve("images/rgb_150x100.png"), sub.resolve("c.png"));
    Files.createSymbolicLink(sub.resolve("up"), corpus);
    Files.createSymbolicLink(corpus.resolve("gone.png"), corpus.resolve("nothing.png"));
    Files.createDirectory(corpus.resolve("folder.jpg"));
    assertEquals(0, new ProcessBuilder("mkfifo", corpus.resolve("pipe.tif").toString()).start()
        .waitFor());
    Path locked = Files.createDirectories(corpus.resolve("locked"));
    Files.copy(GOLDEN.resolve("images/rgb_150x100.png"), locked.resolve("d.png"));
    Files.setPosixFilePermissions(locked, java.util.Set.of());
    boolean permissionsBind = !Files.isReadable(locked);
    Path csv = dir.resolve("corpus.csv");
    String rows = "for (i = 0; i < nResults; i++) print('ROW|' + getResultString('Title', i)"
        + " + '|' + d2s(getResult('Q', i), 12) + '|' + getResultString('Error', i));\n";
    String out;
    try {
      out = batch("run('MA-CLIP Score Folder...', '" + MODEL + " folder=[" + corpus
          + "] include save=[" + csv + "]');\n" + rows
          + "run('MA-CLIP Score Folder...', '" + MODEL + " folder=[" + corpus
          + "] save=[" + dir.resolve("top.csv") + "]');\n"
          + "print('TOP|' + nResults);\n" + rows);
    } finally {
      Files.setPosixFilePermissions(locked,
          java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }
    java.util.Map<String, String[]> table = new java.util.LinkedHashMap<>();
    out.lines().takeWhile(l -> !l.startsWith("TOP|")).filter(l -> l.startsWith("ROW|"))
        .forEach(l -> table.put(l.split("\\|", -1)[1], l.split("\\|", -1)));
    for (Path photo : photos) {
      String[] row = table.get(photo.getFileName().toString());
      assertTrue(row != null && row[3].isEmpty(), photo + ": " + out);
      assertEquals(library.score(photo).q(), Double.parseDouble(row[2]), 1e-6, photo.toString());
    }
    assertEquals(library.score(truncated).error(), table.get("truncated.jpg")[3]);
    assertEquals(library.score(sub.resolve("c.png")).q(),
        Double.parseDouble(table.get("sub/c.png")[2]), 1e-6);
    for (String loop : List.of("loop.tif", "self_loop.tif")) {
      assertTrue(table.get(loop)[3].startsWith("a broken TIFF: its directory at byte "), out);
      assertTrue(out.contains("MA-CLIP: cannot score " + loop + ": a broken TIFF"), out);
    }
    assertEquals("a link to a folder that holds it (a loop), so it is not followed",
        table.get("sub/up")[3]);
    assertEquals("a link to " + corpus.resolve("nothing.png") + ", which does not exist",
        table.get("gone.png")[3]);
    assertEquals("not a regular file (a FIFO, socket or device), so it is not read",
        table.get("pipe.tif")[3]);
    if (permissionsBind) {
      assertEquals("cannot list this folder (permission denied)", table.get("locked")[3]);
    }
    assertEquals(table.size() + 1, Files.readAllLines(csv).size(), out);
    assertTrue(out.contains("; table saved to " + csv), out);
    // without subfolders: a folder named like an image is a row of its own
    assertTrue(out.contains("ROW|folder.jpg|NaN|a folder, not an image file"), out);
    assertFalse(out.contains("Exception"), out);
    assertFalse(out.contains("\tat "), out);
  }

  /** Install Model... puts the bundle into Fiji's models/maclip/, and commands take its name. */
  @Test
  void anInstalledModelIsUsedByName() throws Exception {
    Path image = GOLDEN.resolve("images/rgb_300x250.png");
    String out = batch("run('MA-CLIP Install Model...', 'source=[" + GOLDEN.resolve("tinyrn")
        + "] name=[tiny]');\n"
        + "open('" + image + "');\n"
        + "run('MA-CLIP Score', 'model=[tiny]');\n"
        + "print('Q=' + d2s(getResult('Q', 0), 12));\n");
    Matcher m = Pattern.compile("Q=([0-9.]+)").matcher(out);
    assertTrue(m.find(), out);
    assertEquals(library.score(image).q(), Double.parseDouble(m.group(1)), 1e-6);
    assertTrue(Files.isRegularFile(dir.resolve("ImageJ/models/maclip/tiny/maclip.json")), out);
  }

  /** On this machine's CPU build (no CUDA): one warning line in the Log, then the CPU's score. */
  @Test
  void cudaFallsBackToTheCpuWithOneWarningLine() throws Exception {
    Path image = GOLDEN.resolve("images/rgb_300x250.png");
    String out = batch("run('MA-CLIP Settings...', '" + MODEL + " device=cuda');\n"
        + "open('" + image + "');\n"
        + "run('MA-CLIP Score', '" + MODEL + "');\n"
        + "run('MA-CLIP Score', '" + MODEL + "');\n"
        + "print('Q=' + d2s(getResult('Q', 0), 12));\n");
    Matcher m = Pattern.compile("Q=([0-9.]+)").matcher(out);
    assertTrue(m.find(), out);
    assertEquals(library.score(image).q(), Double.parseDouble(m.group(1)), 1e-6);
    String warning = "MA-CLIP: device=cuda could not start here (no CUDA, or not the GPU build of"
        + " ONNX Runtime); running on the CPU";
    assertEquals(1, out.lines().filter(warning::equals).count(), out);
    assertFalse(out.contains("Exception"), out);
  }

  @Test
  void anErrorIsOneLineAndStopsTheMacroWithoutADialog() throws Exception {
    String out = batch("newImage('x', 'RGB noise', 300, 300, 1);\n"
        + "run('MA-CLIP Score', 'model=[" + dir.resolve("missing") + "]');\n"
        + "print('went on');\n");
    assertTrue(out.contains("MA-CLIP: model bundle " + dir.resolve("missing")
        + " does not exist"), out);
    assertFalse(out.contains("went on"), out);
    assertFalse(out.contains("\tat "), out);
  }

  /** Every macro of the README, in one ImageJ session; the model download comes from loopback. */
  @Test
  void theReadmeMacrosRun() throws Exception {
    String readme = Files.readString(Paths.get("README.md"));
    List<String> blocks = new ArrayList<>();
    Matcher m = Pattern.compile("```javascript\n(.*?)```", Pattern.DOTALL).matcher(readme);
    while (m.find()) {
      blocks.add(m.group(1));
    }
    Path folder = Files.createDirectories(dir.resolve("run42"));
    Files.copy(GOLDEN.resolve("images/rgb_300x250.png"), folder.resolve("a.tif"));
    Files.writeString(folder.resolve("b.tif"), "broken");
    String bundle = GOLDEN.resolve("tinyrn").toString();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[] zip = zip(GOLDEN.resolve("tinyrn"));
    server.createContext("/models/maclip-rn50.zip", exchange -> {
      exchange.sendResponseHeaders(200, zip.length);
      try (var body = exchange.getResponseBody()) {
        body.write(zip);
      }
    });
    server.start();
    String out;
    try {
      String site = "http://127.0.0.1:" + server.getAddress().getPort();
      StringBuilder macro = new StringBuilder();
      for (String block : blocks) {
        String setUp = setUp(block);
        macro.append(setUp).append(block
            .replace("/data/models/maclip-rn50", bundle)
            .replace("/data/run42-quality.csv", dir.resolve("q.csv").toString())
            .replace("/data/run42", folder.toString())
            .replace("https://example.org", site)
            .replace("sha256=[SHA256]", "sha256=[" + org.maclip.scoring.Bundle.load(GOLDEN.resolve("tinyrn"))
                .sha256() + "]"));
        if (block.contains("worst: slice")) {
          macro.append("run('Close All');\n"); // its stack would share the next one's title
        }
        if (block.contains("stack = getTitle()")) {
          macro.append("print('picked ' + getTitle() + ' from slice ' + getResult('Slice', best));\n");
        }
      }
      macro.append("print('map open: ' + isOpen('MA-CLIP Q map of rgb_300x250.png'));\n");
      out = batch(macro.toString());
    } finally {
      server.stop(0);
    }
    assertEquals(5, blocks.size(), "a README macro this test does not know");
    List<Double> worst = Pattern.compile("worst: slice \\d+, Q (\\S+)").matcher(out).results()
        .map(r -> Double.parseDouble(r.group(1))).toList();
    assertEquals(2, worst.size(), "both slices of the stack, worst first: " + out);
    assertTrue(worst.get(0) <= worst.get(1), out);
    assertTrue(out.contains("2 files in the table; unreadable ones:"), out);
    assertTrue(out.contains("unreadable: b.tif: "), out);
    assertEquals(3, Files.readAllLines(dir.resolve("q.csv")).size());
    assertTrue(out.contains("picked best of series from slice "), out);
    assertTrue(Files.isRegularFile(dir.resolve("ImageJ/models/maclip/rn50/visual.onnx")), out);
    assertTrue(out.contains("map open: 1"), out);
    assertFalse(out.contains("\tat "), out);
  }

  /** What a README macro expects to find open: the images it works on. */
  private static String setUp(String block) {
    String photo = "open('" + GOLDEN.resolve("images/rgb_512x384.png") + "');\n";
    String stack = "run('Images to Stack', 'name=series use');\n";
    if (block.contains("worst: slice")) {
      // The blurred slice first: with the demo bundle it scores higher, so only the macro's sort
      // puts the lower one first.
      return photo + "run('Duplicate...', 'title=b'); selectImage('rgb_512x384.png');\n"
          + "run('Gaussian Blur...', 'sigma=5');\n" + stack;
    }
    if (block.contains("] stack")) {
      return photo + "run('Duplicate...', 'title=b'); run('Gaussian Blur...', 'sigma=5');\n" + stack;
    }
    if (block.contains("MA-CLIP Score\"") || block.contains("Quality Map")) {
      return "open('" + GOLDEN.resolve("images/rgb_300x250.png") + "');\n";
    }
    return "";
  }

  /** A bundle folder as the .zip that maclip-pytorch export --zip makes. */
  private static byte[] zip(Path bundle) throws Exception {
    var bytes = new java.io.ByteArrayOutputStream();
    try (var zip = new java.util.zip.ZipOutputStream(bytes)) {
      for (String name : org.maclip.scoring.Bundle.FILES) {
        zip.putNextEntry(new java.util.zip.ZipEntry(name));
        zip.write(Files.readAllBytes(bundle.resolve(name)));
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  /** Runs the macro in a fresh ImageJ with the plugin installed; returns its output. */
  private String batch(String macro) throws Exception {
    Path imagej = install();
    Path file = dir.resolve("test.ijm");
    Files.writeString(file, macro);
    List<String> command = new ArrayList<>(display());
    command.addAll(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dplugins.dir=" + imagej,
        "-Duser.home=" + Files.createDirectories(dir.resolve("home")),
        "-cp", ijJar(), "ij.ImageJ", "-batch", file.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    boolean finished = p.waitFor(180, TimeUnit.SECONDS);
    if (!finished) { // ImageJ runs under xvfb-run: stop them all, or the output never ends
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    System.out.println(out);
    assertTrue(finished, "ImageJ did not finish (a dialog waiting?): " + out);
    return out;
  }

  /**
   * An ImageJ folder installed from the update-site folder as Fiji's Updater installs it: plugins/
   * and jars/, and lib/ of this platform only.
   */
  private Path install() throws Exception {
    Path imagej = dir.resolve("ImageJ");
    if (Files.exists(imagej)) {
      return imagej;
    }
    Path site = Paths.get(System.getProperty("maclip.fiji.site"));
    String platform =
        NativeLibraries.platform(System.getProperty("os.name"), System.getProperty("os.arch"));
    for (String folder : List.of("plugins", "jars", "lib/" + platform)) {
      Path from = site.resolve(folder);
      Path to = Files.createDirectories(imagej.resolve(folder));
      try (var files = Files.list(from)) {
        for (Path file : files.toList()) {
          Files.copy(file, to.resolve(file.getFileName()));
        }
      }
    }
    return imagej;
  }

  private static String ijJar() throws Exception {
    return Paths.get(IJ.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .toString();
  }

  /** Nothing when a display is set, else xvfb-run; skips the test when neither exists. */
  private static List<String> display() {
    if (System.getenv("DISPLAY") != null) {
      return List.of();
    }
    for (String path : System.getenv("PATH").split(File.pathSeparator)) {
      if (Files.isExecutable(Paths.get(path, "xvfb-run"))) {
        return List.of("xvfb-run", "-a", "-s", "-screen 0 1280x1024x24");
      }
    }
    Assumptions.abort("ImageJ 1.x needs a display to build its menus: set DISPLAY or install xvfb");
    return List.of();
  }
}
