package org.maclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Usage errors: exit code 2 and one line {@code maclip: error: ...}, before any model loads. */
class UsageErrorsTest {
  @TempDir Path dir;
  private Path image;
  private String bundle;

  @BeforeEach
  void setUp() throws Exception {
    image = TestImages.good(dir.resolve("a.png"), 32, 32, 1);
    bundle = dir.resolve("no-bundle-needed").toString();
  }

  private static void assertUsageError(CliRun run, String expected) {
    assertEquals(Exit.USAGE, run.code(), run.toString());
    assertEquals(1, run.errLines().size(), run.toString());
    assertTrue(run.err().startsWith("maclip: error: "), run.toString());
    assertTrue(run.err().contains(expected), run.toString());
    assertFalse(run.err().contains("Exception"), run.toString());
    assertEquals("", run.out());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--lam|nan|'nan' is not a finite number",
      "--lam|NaN|'NaN' is not a finite number",
      "--alpha|inf|'inf' is not a finite number",
      "--alpha|-Infinity|'-Infinity' is not a finite number",
      "--b-sim|1e999|'1e999' is not a finite number",
      "--b-mag|x|'x' is not a number",
      "--pre-resize|0x448|'0x448' is not WxH with positive sides",
      "--pre-resize|448x|'448x' is not WxH with positive sides",
      "--pre-resize|big|'big' is not WxH with positive sides",
      "--batch-size|0|must be at least 1, not 0",
      "--threads|-1|must be at least 0, not -1",
      "--max-pixels|0|must be at least 1, not 0",
      "--max-side|-3|must be at least 0, not -3",
      "--device|tpu|unknown device 'tpu' (use cpu or cuda)",
      "--method|best|unknown method 'best'",
      "--format|xml|unknown format 'xml' (use table, csv, jsonl or json)"})
  void badOptionValues(String option, String value, String expected) {
    CliRun run = CliRun.of("score", image.toString(), "-m", bundle, option, value);
    assertUsageError(run, "Invalid value for option '" + option + "'");
    assertTrue(run.err().contains(expected), run.toString());
    assertTrue(run.err().contains("(see maclip score --help)"), run.toString());
  }

  @Test
  void outputNamingAFolder() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("out"));
    assertUsageError(CliRun.of("score", image.toString(), "-m", bundle, "-o", folder.toString()),
        "-o " + folder + " is a folder: name a file");
  }

  @Test
  void outputWhoseFolderCannotBeMade() {
    CliRun run = CliRun.of("score", image.toString(), "-m", bundle, "-o",
        "/proc/maclip-no-such/r.csv");
    assertUsageError(run, "cannot create the folder of -o /proc/maclip-no-such/r.csv: ");
  }

  @Test
  void resumeNeedsAJsonLinesFile() {
    String expected = "--resume needs a JSON Lines output file: -o results.jsonl";
    assertUsageError(CliRun.of("score", image.toString(), "-m", bundle, "--resume"), expected);
    assertUsageError(CliRun.of("score", image.toString(), "-m", bundle, "--resume", "-o",
        dir.resolve("r.csv").toString()), expected);
  }

  @Test
  void folderWithoutRecursiveWhoseImagesAreInSubFolders() throws Exception {
    Path top = Files.createDirectories(dir.resolve("top"));
    TestImages.good(top.resolve("sub/b.png"), 32, 32, 2);
    CliRun run = CliRun.of("score", top.toString(), "-m", bundle);
    assertEquals(Exit.USAGE, run.code(), run.toString());
    assertEquals("maclip: error: no images found in " + top
        + " (1 sub-folder(s) not searched: use -r to descend)", run.errorLines().get(0));
  }

  @Test
  void unreadableFolderNamedExplicitly() throws Exception {
    Path locked = Files.createDirectories(dir.resolve("locked"));
    Lister denying = folder -> {
      if (folder.equals(locked)) {
        throw new AccessDeniedException(folder.toString());
      }
      return Lister.FILES.list(folder);
    };
    assertUsageError(CliRun.with(denying, "score", image.toString(), locked.toString(), "-m",
        bundle), "cannot read folder " + locked + ": permission denied");
  }

  @Test
  void patternMatchingNothingAndNoImagesAtAll() throws Exception {
    assertUsageError(CliRun.of("score", dir + "/**/*.tif", "-m", bundle),
        dir + "/**/*.tif: no image files match this pattern");
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertUsageError(CliRun.of("score", empty.toString(), "-m", bundle),
        "no images found in " + empty);
  }

  @Test
  void missingArgumentsAndCommands() {
    assertUsageError(CliRun.of("score", image.toString()), "Missing required option: '--model");
    assertUsageError(CliRun.of("score", "-m", bundle), "Missing required parameter: 'PATH'");
    assertUsageError(CliRun.of(), "give a command: score, report, info or bench");
    assertUsageError(CliRun.of("rate"), "Unmatched argument at index 0: 'rate'");
  }

  @Test
  void versionAndHelp() {
    CliRun version = CliRun.of("--version");
    assertEquals(0, version.code());
    assertTrue(version.out().matches("maclip \\d+\\.\\d+\\.\\d+\\S*\n"), version.out());
    CliRun help = CliRun.of("score", "--help");
    assertEquals(0, help.code());
    assertTrue(help.out().contains("--pre-resize=WxH"), help.out());
  }
}
