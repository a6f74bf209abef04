package org.maclip.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Chromium, headless, for the report's browser tests: Debian's {@code chromium} (CI
 * installs it), or the program {@code MACLIP_CHROMIUM} names. Without one the tests are skipped,
 * unless {@code MACLIP_REQUIRE_BROWSER} is set (as CI sets it): then they fail.
 */
record HeadlessChromium(String program, Path profile) {
  private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome");

  /** What one page load printed: the serialised DOM (or nothing), and the browser's log. */
  record Load(String dom, String log) {
    /** The page's console messages (uncaught errors among them), one a line. */
    List<String> console() {
      return log.lines().filter(l -> l.contains(":CONSOLE")).toList();
    }
  }

  /** The browser to test with; skips (or fails, in CI) without one. */
  static HeadlessChromium find(Path profile) {
    String named = System.getenv("MACLIP_CHROMIUM");
    String program = named != null ? named : onPath();
    if (program == null) {
      if (System.getenv("MACLIP_REQUIRE_BROWSER") != null) {
        fail("no chromium on PATH, and MACLIP_REQUIRE_BROWSER is set");
      }
      Assumptions.abort("no chromium on PATH (apt-get install chromium)");
    }
    return new HeadlessChromium(program, profile);
  }

  private static String onPath() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : NAMES) {
        Path candidate = Path.of(dir, name);
        if (Files.isExecutable(candidate)) {
          return candidate.toString();
        }
      }
    }
    return null;
  }

  /** Loads {@code page} (with {@code fragment} after '#', or none) and returns its final DOM. */
  Load dumpDom(Path page, String fragment) throws Exception {
    return run(List.of("--dump-dom"), page, fragment);
  }

  /** Loads {@code page} in a window of {@code width}×{@code height} and saves a PNG of it. */
  Load screenshot(Path page, Path png, int width, int height) throws Exception {
    return run(List.of("--screenshot=" + png.toAbsolutePath(),
        "--window-size=" + width + "," + height, "--hide-scrollbars"), page, "");
  }

  private Load run(List<String> what, Path page, String fragment) throws Exception {
    List<String> command = new ArrayList<>(List.of(program, "--headless", "--no-sandbox",
        "--disable-gpu", "--no-first-run", "--user-data-dir=" + profile.toAbsolutePath(),
        "--enable-logging=stderr", "--v=0"));
    command.addAll(what);
    String url = page.toAbsolutePath().toUri() + (fragment.isEmpty() ? "" : "#" + fragment);
    command.add(url);
    Path out = Files.createTempFile(profile.getParent(), "dom", ".html");
    Path err = Files.createTempFile(profile.getParent(), "log", ".txt");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile())
        .redirectError(err.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("chromium did not finish loading " + url + " in 120 s");
    }
    String log = Files.readString(err, StandardCharsets.UTF_8);
    assertTrue(p.exitValue() == 0, "chromium exited with " + p.exitValue() + ":\n" + log);
    return new Load(Files.readString(out, StandardCharsets.UTF_8), log);
  }
}
