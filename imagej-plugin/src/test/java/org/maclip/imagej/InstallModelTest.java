package org.maclip.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import ij.IJ;
import ij.Prefs;
import java.awt.event.KeyEvent;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maclip.scoring.Bundle;
import org.maclip.scoring.ScorerOptions;

/**
 * Install Model... in the real ImageJ, headless, from macros: downloads from an HTTP server on
 * loopback started here (good, cut short, wrong checksum, missing, redirected, a web page, a
 * refused connection), local .zip files and folders, names, replacing; then the commands take
 * the installed model by name.
 */
class InstallModelTest {
  private static HttpServer server;
  private static String base;
  private static volatile String lastHost;
  private static ServerSocket cutter;
  private static String cutShort;
  private static byte[] good;
  private static byte[] badChecksum;
  /** The tiny model's sha256 (as results name it): what http:// downloads are pinned to. */
  private static String modelSha256;

  @TempDir Path dir;
  private Path models;

  @BeforeAll
  static void serve() throws Exception {
    ImageJHarness.installCommands();
    good = zip(ImageJHarness.tinyBundle(), false);
    badChecksum = zip(ImageJHarness.tinyBundle(), true);
    modelSha256 = Bundle.load(ImageJHarness.tinyBundle()).sha256();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", InstallModelTest::answer);
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
    cutter = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    cutShort = "http://127.0.0.1:" + cutter.getLocalPort() + "/short/tinyrn.zip";
    Thread thread = new Thread(InstallModelTest::cutEachDownloadShort, "cut-short server");
    thread.setDaemon(true);
    thread.start();
  }

  @AfterAll
  static void stop() throws IOException {
    server.stop(0);
    cutter.close();
  }

  /**
   * A server (a plain socket: HttpServer does not drop a connection midway) that sends half of
   * the zip and closes the connection: after promising all of it with a Content-Length, or, for
   * a path with /nolength/, with none (the end of the connection ends such a body).
   */
  private static void cutEachDownloadShort() {
    while (!cutter.isClosed()) {
      try (Socket s = cutter.accept()) {
        BufferedReader request = new BufferedReader(
            new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        String first = request.readLine();
        String line;
        while ((line = request.readLine()) != null && !line.isEmpty()) {
          // the rest of the request's head: read and ignored
        }
        String length = first != null && first.contains("/nolength/") ? ""
            : "Content-Length: " + good.length + "\r\n";
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nConnection: close\r\n"
            + length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(good, 0, good.length / 2);
        out.flush();
      } catch (IOException e) {
        // closed at the end of the tests, or the client went away
      }
    }
  }

  @BeforeEach
  void freshModels() {
    models = dir.resolve("Fiji.app/models/maclip");
    System.setProperty(InstalledModels.PROPERTY, models.toString());
    Prefs.set(Settings.MODEL_KEY, "");
    Prefs.set(Settings.MAX_PIXELS_KEY, ScorerOptions.DEFAULT_MAX_PIXELS);
  }

  @AfterEach
  void close() {
    System.clearProperty(InstalledModels.PROPERTY);
    Prefs.set(Settings.MODEL_KEY, "");
    ImageJHarness.closeAll();
  }

  /** The test server: what each path answers. */
  private static void answer(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    lastHost = exchange.getRequestURI().getHost(); // set when asked as a proxy
    try (exchange) {
      switch (path) {
        case "/models/tinyrn.zip" -> send(exchange, 200, "application/zip", good);
        case "/bad/tinyrn.zip" -> send(exchange, 200, "application/zip", badChecksum);
        case "/moved/tinyrn.zip" -> {
          exchange.getResponseHeaders().add("Location", "/models/tinyrn.zip");
          exchange.sendResponseHeaders(302, -1);
        }
        case "/esc/tinyrn.zip" -> {
          // The user presses Esc in the middle of the download.
          exchange.getResponseHeaders().add("Content-Type", "application/zip");
          exchange.sendResponseHeaders(200, good.length);
          OutputStream body = exchange.getResponseBody();
          body.write(good, 0, good.length / 2);
          body.flush();
          IJ.setKeyDown(KeyEvent.VK_ESCAPE);
          body.write(good, good.length / 2, good.length - good.length / 2);
        }
        case "/page" -> send(exchange, 200, "text/html; charset=utf-8",
            "<html>sign in</html>".getBytes(StandardCharsets.UTF_8));
        default -> send(exchange, 404, "text/plain",
            "no such file".getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private static void send(HttpExchange exchange, int code, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().add("Content-Type", type);
    exchange.sendResponseHeaders(code, body.length);
    exchange.getResponseBody().write(body);
  }

  /** The bundle folder as a .zip; with {@code damaged}, its visual.onnx differs by one byte. */
  private static byte[] zip(Path bundle, boolean damaged) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (String name : Bundle.FILES) {
        byte[] data = Files.readAllBytes(bundle.resolve(name));
        if (damaged && name.equals("visual.onnx")) {
          data = Arrays.copyOf(data, data.length);
          data[data.length - 1] ^= 1;
        }
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  // ---- downloads ----

  @Test
  void aDownloadedModelScoresByNameAsTheBundlesPathDoes() {
    var out = install("source=[" + base + "/models/tinyrn.zip] sha256=[" + modelSha256 + "]");
    assertEquals("done", out.returned(), out.printed());
    assertTrue(out.printed().contains("MA-CLIP: installed model 'tinyrn' (TinyRN/random, sha256 "
        + modelSha256 + " verified) in " + models.resolve("tinyrn")), out.printed());
    assertEquals(List.of("tinyrn"), entries());
    assertInstalled("tinyrn");

    Path image = ImageJHarness.golden().resolve("images/rgb_300x250.png");
    var scores = ImageJHarness.run("open('" + image + "');\n"
        + "run('MA-CLIP Score', 'model=[tinyrn]');\n"
        + "byName = d2s(getResult('Q', 0), 12) + ' ' + getResultString('model', 0);\n"
        + "run('MA-CLIP Score', 'model=[" + ImageJHarness.tinyBundle() + "]');\n"
        + "return byName + ' | ' + d2s(getResult('Q', 0), 12) + ' '"
        + " + getResultString('model', 0);");
    String[] both = scores.returned().split(" \\| ");
    assertEquals(2, both.length, scores.printed());
    assertEquals(both[1], both[0]);
    assertTrue(both[0].endsWith(" TinyRN/random"), both[0]);
  }

  @Test
  void javasProxySettingsAreHonoured() {
    // What Edit > Options > Proxy Settings... sets. The host below has no address: only the
    // proxy (the test server, which serves by path) can answer for it.
    System.setProperty("http.proxyHost", "127.0.0.1");
    System.setProperty("http.proxyPort", String.valueOf(server.getAddress().getPort()));
    try {
      var out = install("source=[http://models.example.invalid/models/tinyrn.zip] sha256=["
          + modelSha256 + "]");
      assertEquals("done", out.returned(), out.printed());
      assertEquals("models.example.invalid", lastHost);
    } finally {
      System.clearProperty("http.proxyHost");
      System.clearProperty("http.proxyPort");
    }
    assertEquals(List.of("tinyrn"), entries());
    assertInstalled("tinyrn");
  }

  @Test
  void aRedirectIsFollowedAndTheNameComesFromTheAddressAsGiven() {
    var out = install("source=[" + base + "/moved/tinyrn.zip] name=[moved] sha256=["
        + modelSha256 + "]");
    assertEquals("done", out.returned(), out.printed());
    assertEquals(List.of("moved"), entries());
    assertInstalled("moved");
  }

  @Test
  void aDownloadCutShortIsRefusedAndLeavesNothing() {
    var out = install("source=[" + cutShort + "] sha256=[" + modelSha256 + "]");
    assertOneLine(out, "the download of " + cutShort + " was cut short after 1.0 of 2.0 MB");
    assertTrue(out.printed().contains("nothing was installed"), out.printed());
    assertEquals(List.of(), entries());
  }

  @Test
  void aDownloadCutShortWithoutContentLengthIsCaughtByTheZipCheck() {
    String address = cutShort.replace("/short/", "/nolength/");
    var out = install("source=[" + address + "] sha256=[" + modelSha256 + "]");
    assertOneLine(out, "model bundle " + address + ": not a bundle directory or a valid .zip");
    assertEquals(List.of(), entries());
  }

  /** The .zip is the one expected (its own sha256), but its model is not its manifest's. */
  @Test
  void aWrongChecksumIsRefusedNamingTheAddress() {
    var out = install("source=[" + base + "/bad/tinyrn.zip] sha256=[" + sha256(badChecksum)
        + "]");
    assertOneLine(out, "model bundle " + base + "/bad/tinyrn.zip: visual.onnx does not match"
        + " the sha256 in maclip.json");
    assertEquals(List.of(), entries());
  }

  @Test
  void anHttpAddressWithoutItsSha256IsRefusedAndAnUnexpectedModelToo() {
    var out = install("source=[" + base + "/models/tinyrn.zip]");
    assertOneLine(out, "cannot install from " + base + "/models/tinyrn.zip without its sha256:"
        + " anyone on the way can change what an http:// address brings; give the SHA256"
        + " (sha256= in macros) or an https:// address");
    String other = "0123456789abcdef".repeat(4);
    var wrong = install("source=[" + base + "/models/tinyrn.zip] sha256=[" + other + "]");
    assertOneLine(wrong, "model bundle " + base + "/models/tinyrn.zip: visual.onnx has sha256 "
        + modelSha256 + ", not the expected " + other + ": it is not the model that was asked"
        + " for");
    assertOneLine(install("source=[" + base + "/models/tinyrn.zip] sha256=[abc]"),
        "'abc' is not a sha256 (64 hex digits)");
    assertEquals(List.of(), entries());
    var byZip = install("source=[" + base + "/models/tinyrn.zip] sha256=["
        + sha256(good).toUpperCase(java.util.Locale.ROOT) + "]");
    assertEquals("done", byZip.returned(), byZip.printed());
    assertInstalled("tinyrn");
  }

  @Test
  void aMissingFileIsOneLine() {
    var out = install("source=[" + base + "/models/gone.zip] sha256=[" + modelSha256 + "]");
    assertOneLine(out, "cannot download " + base + "/models/gone.zip: HTTP 404");
    assertEquals(List.of(), entries());
  }

  @Test
  void aRefusedConnectionIsOneLine() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    var out = install("source=[http://127.0.0.1:" + port + "/tinyrn.zip] sha256=["
        + modelSha256 + "]");
    assertOneLine(out, "cannot download http://127.0.0.1:" + port + "/tinyrn.zip: cannot connect"
        + " to 127.0.0.1:" + port);
    assertEquals(List.of(), entries());
  }

  @Test
  void aWebPageIsNotTakenForABundle() {
    var out = install("source=[" + base + "/page] sha256=[" + modelSha256 + "]");
    assertOneLine(out, "cannot download " + base + "/page: it is a web page, not a bundle .zip");
    assertEquals(List.of(), entries());
  }

  @Test
  void escCancelsADownloadAndLeavesNothing() {
    try {
      var out = install("source=[" + base + "/esc/tinyrn.zip] sha256=[" + modelSha256 + "]");
      assertOneLine(out, "the download of " + base + "/esc/tinyrn.zip was cancelled (Esc) after ");
    } finally {
      IJ.resetEscape();
    }
    assertEquals(List.of(), entries());
  }

  // ---- local sources, names, replacing ----

  @Test
  void aLocalZipAndAFolderInstallUnderTheirOwnNames() throws Exception {
    Path zip = Files.write(dir.resolve("tiny model v2.zip"), good);
    assertEquals("done", install("source=[" + zip + "]").returned());
    assertEquals("done", install("source=[" + ImageJHarness.tinyBundle() + "]").returned());
    assertEquals("done", install("source=[" + ImageJHarness.tinyBundle().resolve("maclip.json")
        + "] name=[chosen]").returned());
    assertEquals(List.of("chosen", "tiny_model_v2", "tinyrn"), entries());
    for (String name : entries()) {
      assertInstalled(name);
    }
    assertEquals(List.of("chosen", "tiny_model_v2", "tinyrn"), InstalledModels.here().names());
  }

  @Test
  void aLocalZipWithAWrongChecksumIsRefused() throws Exception {
    Path zip = Files.write(dir.resolve("bad.zip"), badChecksum);
    var out = install("source=[" + zip + "]");
    assertOneLine(out, "model bundle " + zip + ": visual.onnx does not match the sha256");
    assertEquals(List.of(), entries());
  }

  @Test
  void anInstalledNameIsReplacedOnlyWithReplaceAndAFailedReplaceKeepsTheOldModel()
      throws Exception {
    assertEquals("done", install("source=[" + ImageJHarness.tinyBundle() + "] name=[m]")
        .returned());
    String pinned = "] sha256=[" + modelSha256 + "]";
    var again = install("source=[" + base + "/models/tinyrn.zip] name=[m" + pinned);
    assertOneLine(again, "a model named 'm' is already installed (" + models.resolve("m")
        + "): tick 'Replace' (replace in macros) to replace it, or choose another name");

    var bad = install("source=[" + base + "/bad/tinyrn.zip] name=[m] replace sha256=["
        + sha256(badChecksum) + "]");
    assertOneLine(bad, "does not match the sha256");
    assertInstalled("m");

    var replaced = install("source=[" + base + "/models/tinyrn.zip] name=[m] replace sha256=["
        + modelSha256 + "]");
    assertEquals("done", replaced.returned(), replaced.printed());
    assertTrue(replaced.printed().contains("replacing the earlier one"), replaced.printed());
    assertEquals(List.of("m"), entries());
    assertInstalled("m");
  }

  @Test
  void theWorkingFoldersOfInstallsCutOffLongAgoAreRemoved() throws Exception {
    Path old = Files.createDirectories(models.resolve(ModelInstaller.WORK_PREFIX + "x-1"));
    Files.writeString(old.resolve("download.zip"), "half");
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
    Path running = Files.createDirectories(models.resolve(ModelInstaller.WORK_PREFIX + "y-2"));
    assertEquals("done", install("source=[" + ImageJHarness.tinyBundle() + "]").returned());
    assertEquals(List.of(running.getFileName().toString(), "tinyrn"), entries());
  }

  @Test
  void badSourcesAndNamesAreOneLine() {
    assertOneLine(install(""), "no source given");
    assertOneLine(install("source=[" + dir.resolve("nothing.zip") + "]"),
        "cannot install from " + dir.resolve("nothing.zip") + ": no such file or folder");
    assertOneLine(install("source=[ftp://127.0.0.1/x.zip]"),
        "only http:// and https:// addresses, .zip files and folders are supported");
    assertOneLine(install("source=[" + ImageJHarness.tinyBundle() + "] name=[../up]"),
        "'../up' cannot be a model's name");
    assertEquals(List.of(), entries());
  }

  // ---- hostile and oversize sources ----

  /** The tiny bundle's files as a .zip, then {@code extra} entries (name, content). */
  private Path zipWith(String file, Object... extra) throws IOException {
    Path zip = dir.resolve(file);
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      for (String name : Bundle.FILES) {
        out.putNextEntry(new ZipEntry(name));
        out.write(Files.readAllBytes(ImageJHarness.tinyBundle().resolve(name)));
        out.closeEntry();
      }
      for (int i = 0; i < extra.length; i += 2) {
        out.putNextEntry(new ZipEntry((String) extra[i]));
        out.write((byte[]) extra[i + 1]);
        out.closeEntry();
      }
    }
    return zip;
  }

  @Test
  void aZipWhoseEntriesLeadOutsideOrAreReservedIsRefusedAndLeavesNothing() throws Exception {
    byte[] text = "x".getBytes(StandardCharsets.UTF_8);
    for (String entry : List.of("../evil.txt", "a/../../evil.txt", "/tmp/evil.txt",
        "..\\evil.txt", "C:evil.txt", "visual.onnx:hidden")) {
      Path zip = zipWith("slip.zip", entry, text);
      assertOneLine(install("source=[" + zip + "]"), "model bundle " + zip + ": the .zip holds '"
          + entry + "', a path outside its folder or a stream: not installed");
    }
    for (String entry : List.of("CON", "nul.txt", "Com1", "aux/readme")) {
      Path zip = zipWith("reserved.zip", entry, text);
      assertOneLine(install("source=[" + zip + "]"), "the .zip holds '" + entry + "', a name"
          + " Windows reserves for a device: not installed");
    }
    assertEquals(List.of(), entries());
    assertFalse(Files.exists(dir.resolve("evil.txt")));
    assertFalse(Files.exists(dir.resolve("Fiji.app/evil.txt")));
  }

  /** Files in subfolders, hidden ones and a record brought along are left out, not refused. */
  @Test
  void aZipsOtherFilesAndARecordItBringsAreLeftOut() throws Exception {
    String forged = "ab".repeat(32) + "  visual.onnx\n";
    Path zip = zipWith("extra.zip", "docs/readme.txt", new byte[3], ".hidden", new byte[3],
        "sha256.verified", forged.getBytes(StandardCharsets.US_ASCII));
    assertEquals("done", install("source=[" + zip + "]").returned());
    assertInstalled("extra");
  }

  /** 10 MB of zeros in a few kB: over the limit (here 5 MB), refused before it is unpacked. */
  @Test
  void aZipBombIsOneLineAndLeavesNothing() throws Exception {
    ModelInstaller small = installer(64, 5_000_000, Long.MAX_VALUE);
    Path bomb = zipWith("bomb.zip", "padding.bin", new byte[10_000_000]);
    assertTrue(Files.size(bomb) < 2_100_000, "a bomb: " + Files.size(bomb));
    UserError e = assertThrows(UserError.class, () -> small.install(bomb.toString(), "", false,
        ""));
    assertEquals("model bundle " + bomb + ": unpacked it takes 12.6 MB, more than the 5.0 MB a"
        + " model may have; not installed", e.getMessage());
    Object[] many = new Object[2 * 70];
    for (int i = 0; i < 70; i++) {
      many[2 * i] = "f" + i;
      many[2 * i + 1] = new byte[1];
    }
    Path crowded = zipWith("crowded.zip", many);
    UserError count = assertThrows(UserError.class,
        () -> small.install(crowded.toString(), "", false, ""));
    assertEquals("model bundle " + crowded + ": the .zip holds 73 entries (a bundle has 3; at"
        + " most 64 are taken): a damaged or hostile .zip (a zip bomb?); not installed",
        count.getMessage());
    assertEquals(List.of(), entries());
  }

  @Test
  void aDiskWithoutRoomIsOneLineBeforeTheDownloadAndBeforeUnpacking() throws Exception {
    ModelInstaller full = installer(64, 16L << 30, 500_000);
    String address = base + "/models/tinyrn.zip";
    UserError download = assertThrows(UserError.class,
        () -> full.install(address, "", false, modelSha256));
    assertEquals("cannot download " + address + ": it is 2.0 MB, more than the 0.5 MB free in "
        + models + "; nothing was downloaded", download.getMessage());
    UserError unpack = assertThrows(UserError.class,
        () -> full.install(ImageJHarness.tinyBundle().toString(), "", false, ""));
    assertTrue(unpack.getMessage().endsWith(": unpacked it takes 2.6 MB, more than the 0.5 MB"
        + " free in " + models + "; not installed"), unpack.getMessage());
    assertEquals(List.of(), entries());
  }

  /** Announced too large: refused before; sent without a size: stopped when it passes. */
  @Test
  void anOversizeDownloadIsRefused() throws Exception {
    ModelInstaller small = installer(64, 300_000, Long.MAX_VALUE);
    UserError announced = assertThrows(UserError.class,
        () -> small.install(base + "/models/tinyrn.zip", "", false, modelSha256));
    assertTrue(announced.getMessage().endsWith(": it is 2.0 MB, more than the 0.3 MB a model"
        + " may have; nothing was downloaded"), announced.getMessage());
    String unannounced = cutShort.replace("/short/", "/nolength/");
    UserError passed = assertThrows(UserError.class,
        () -> small.install(unannounced, "", false, modelSha256));
    assertEquals("the download of " + unannounced + " passed the 0.3 MB a model may have after"
        + " 0.3 MB; nothing was installed", passed.getMessage());
    assertEquals(List.of(), entries());
  }

  /**
   * A real https server on loopback (its certificate made here by the JDK's keytool and trusted
   * for this test only) that redirects to the http server: refused, nothing downloaded.
   */
  @Test
  void aRedirectFromHttpsDownToHttpIsRefused() throws Exception {
    Path store = dir.resolve("tls.p12");
    Process keytool = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
        "-alias", "loopback", "-keyalg", "RSA", "-keysize", "2048", "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", "secret", "-keypass", "secret",
        "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2")
        .redirectErrorStream(true).start();
    String said = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, keytool.waitFor(), said);
    java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(store)) {
      keys.load(in, "secret".toCharArray());
    }
    var keyManagers = javax.net.ssl.KeyManagerFactory.getInstance("SunX509");
    keyManagers.init(keys, "secret".toCharArray());
    var trust = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
    trust.init(keys);
    javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
    tls.init(keyManagers.getKeyManagers(), trust.getTrustManagers(), null);
    var https = com.sun.net.httpserver.HttpsServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
    https.createContext("/", exchange -> {
      try (exchange) {
        String to = exchange.getRequestURI().getPath().startsWith("/down/")
            ? base + "/models/tinyrn.zip" : "/same/tinyrn.zip";
        if (exchange.getRequestURI().getPath().startsWith("/same/")) {
          send(exchange, 200, "application/zip", good);
          return;
        }
        exchange.getResponseHeaders().add("Location", to);
        exchange.sendResponseHeaders(302, -1);
      }
    });
    https.start();
    var trusted = javax.net.ssl.HttpsURLConnection.getDefaultSSLSocketFactory();
    javax.net.ssl.HttpsURLConnection.setDefaultSSLSocketFactory(tls.getSocketFactory());
    try {
      String site = "https://127.0.0.1:" + https.getAddress().getPort();
      ModelInstaller installer = installer(64, 16L << 30, Long.MAX_VALUE);
      UserError down = assertThrows(UserError.class,
          () -> installer.install(site + "/down/tinyrn.zip", "", false, modelSha256));
      assertEquals("cannot download " + site + "/down/tinyrn.zip: it redirects to " + base
          + "/models/tinyrn.zip, which is not a secure (https) address", down.getMessage());
      assertEquals(List.of(), entries());
      installer.install(site + "/up/tinyrn.zip", "", false, ""); // https to https, no hash
      assertInstalled("tinyrn");
    } finally {
      javax.net.ssl.HttpsURLConnection.setDefaultSSLSocketFactory(trusted);
      https.stop(0);
    }
  }

  private ModelInstaller installer(int maxEntries, long maxBytes, long free) {
    Download.Progress quiet = new Download.Progress() {
      @Override
      public void update(long done, long total) {}

      @Override
      public boolean cancelled() {
        return false;
      }
    };
    return new ModelInstaller(new InstalledModels(models), quiet,
        new ModelInstaller.Limits(maxEntries, maxBytes, folder -> free));
  }

  // ---- commands and Settings take installed models by name ----

  @Test
  void settingsAndTheDefaultFlagTakeAnInstalledName() {
    install("source=[" + ImageJHarness.tinyBundle() + "] name=[one] default");
    assertEquals("one", Prefs.get(Settings.MODEL_KEY, ""));
    install("source=[" + ImageJHarness.tinyBundle() + "] name=[two]");
    assertEquals("one", Prefs.get(Settings.MODEL_KEY, "")); // without default: unchanged

    ImageJHarness.run("run('MA-CLIP Settings...', 'model=[two] threads=1');");
    assertEquals("two", Prefs.get(Settings.MODEL_KEY, ""));
    Path image = ImageJHarness.golden().resolve("images/rgb_150x100.png");
    var out = ImageJHarness.run("open('" + image + "'); run('MA-CLIP Score');"
        + " return getResultString('model', 0);");
    assertEquals("TinyRN/random", out.returned(), out.printed());

    ImageJHarness.run("run('MA-CLIP Settings...', 'model=[two] path=["
        + ImageJHarness.tinyBundle() + "]');");
    assertEquals(ImageJHarness.tinyBundle().toString(), Prefs.get(Settings.MODEL_KEY, ""));
  }

  @Test
  void anUnknownNameListsTheInstalledOnes() {
    install("source=[" + ImageJHarness.tinyBundle() + "] name=[alpha]");
    install("source=[" + ImageJHarness.tinyBundle() + "] name=[beta]");
    var out = ImageJHarness.run("newImage('x', 'RGB noise', 240, 240, 1);\n"
        + "run('MA-CLIP Score', 'model=[gamma]');\nreturn 'went on';");
    assertOneLine(out, "no installed model is named 'gamma'; installed: alpha, beta (in "
        + models + ")");
    var settings = ImageJHarness.run("run('MA-CLIP Settings...', 'model=[gamma]');"
        + " return 'went on';");
    assertOneLine(settings, "no installed model is named 'gamma'");
  }

  private static ImageJHarness.Outcome install(String options) {
    return ImageJHarness.run("run('MA-CLIP Install Model...', '" + options + "');\n"
        + "return 'done';");
  }

  /** The macro stopped with one MA-CLIP line holding {@code message}, and no stack trace. */
  private static void assertOneLine(ImageJHarness.Outcome out, String message) {
    assertNotEquals("done", out.returned(), "the macro should have stopped: " + out.printed());
    assertNotEquals("went on", out.returned(), "the macro should have stopped: " + out.printed());
    List<String> lines = out.printed().lines().filter(l -> l.startsWith("MA-CLIP: ")).toList();
    assertEquals(1, lines.size(), out.printed());
    assertTrue(lines.get(0).contains(message), out.printed());
    assertFalse(out.printed().contains("\tat "), "no stack trace: " + out.printed());
  }

  /** The models folder's entries, hidden working folders included (sorted). */
  private List<String> entries() {
    if (!Files.isDirectory(models)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(models)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String sha256(byte[] data) {
    try {
      return java.util.HexFormat.of().formatHex(
          java.security.MessageDigest.getInstance("SHA-256").digest(data));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * The installed model checks out as a bundle whose sha256 was verified, and holds just the
   * bundle's files and the record.
   */
  private void assertInstalled(String name) {
    Path folder = models.resolve(name);
    assertEquals("TinyRN", Bundle.load(folder).backbone());
    assertTrue(Bundle.read(folder).sha256Verified(), name);
    try (Stream<Path> list = Files.list(folder)) {
      assertEquals(List.of("maclip.json", "selfcheck.f32", "sha256.verified", "visual.onnx"),
          list.map(p -> p.getFileName().toString()).sorted().toList());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
