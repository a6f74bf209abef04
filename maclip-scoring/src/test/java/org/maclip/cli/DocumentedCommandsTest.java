package org.maclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ./maclip} command of the root README and of docs/cli.md runs as written, on a
 * folder laid out as the guides name it: {@code photos/} (the golden images and one file that is
 * not an image), {@code maclip-rn50} (the demo bundle under the guides' name), {@code shots/},
 * {@code huge/} and {@code results/}; and the README's "20 worst images" line lists them worst
 * first.
 */
class DocumentedCommandsTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path GOLDEN = ROOT.resolve("maclip-scoring/src/test/resources/golden");
  private static final List<Path> GUIDES = List.of(ROOT.resolve("README.md"),
      ROOT.resolve("docs/cli.md"));
  private static final Set<String> FIXTURES = Set.of("photos", "maclip-rn50", "shots", "huge",
      "results");
  private static final Pattern BLOCK = Pattern.compile("```(?:bash|console)\n(.*?)```",
      Pattern.DOTALL);

  @TempDir Path dir;

  @Test
  void everyCommandOfTheGuidesRuns() throws Exception {
    layOut();
    List<String> commands = commands();
    assertTrue(commands.size() >= 10, "the guides' commands: " + commands);
    for (String command : commands) {
      List<String> args = arguments(command);
      CliRun run = CliRun.of(args.toArray(String[]::new));
      int expected = args.contains(dir.resolve("photos").toString()) ? Exit.SOME_FAILED : Exit.OK;
      assertEquals(expected, run.code(), command + "\n" + run);
      assertFalse(run.err().contains("\tat "), command + "\n" + run);
    }
  }

  @Test
  void theReadmesWorstImagesLineListsTheWorstFirst() throws Exception {
    layOut();
    String readme = Files.readString(ROOT.resolve("README.md"));
    String score = commands(readme).stream().filter(c -> c.contains("-o scores.csv"))
        .findFirst().orElseThrow();
    assertEquals(Exit.SOME_FAILED, CliRun.of(arguments(score).toArray(String[]::new)).code());
    String worst = readme.lines().filter(l -> l.contains("sort ") && l.contains("scores.csv"))
        .findFirst().orElseThrow().replaceAll("\\s+#.*", "");
    Process sort = new ProcessBuilder("bash", "-c", worst).directory(dir.toFile())
        .redirectErrorStream(true).start();
    List<String> lines = new String(sort.getInputStream().readAllBytes()).lines().toList();
    assertEquals(0, sort.waitFor(), String.join("\n", lines));
    assertEquals(12, lines.size(), "eleven images and one failed: " + lines);
    assertTrue(lines.get(0).contains("photos/bad.jpg,,"), "the failed image first: " + lines);
    List<Double> q = lines.subList(1, lines.size()).stream()
        .map(l -> Double.parseDouble(l.split(",")[1])).toList();
    assertEquals(q.stream().sorted().toList(), q, "then the lowest Q first");
  }

  /** The folders the guides' commands name, in {@link #dir}. */
  private void layOut() throws Exception {
    Path photos = Files.createDirectories(dir.resolve("photos"));
    try (Stream<Path> images = Files.list(GOLDEN.resolve("images"))) {
      for (Path image : images.toList()) {
        Files.copy(image, photos.resolve(image.getFileName()));
      }
    }
    Files.writeString(photos.resolve("bad.jpg"), "not an image");
    Path bundle = Files.createDirectories(dir.resolve("maclip-rn50"));
    try (Stream<Path> files = Files.list(GOLDEN.resolve("tinyrn"))) {
      for (Path file : files.toList()) {
        Files.copy(file, bundle.resolve(file.getFileName()));
      }
    }
    Path shots = Files.createDirectories(dir.resolve("shots/day 1"));
    Files.copy(GOLDEN.resolve("images/rgb_300x250.png"), shots.resolve("a.tif"));
    Files.copy(GOLDEN.resolve("images/rgb_512x384.png"), dir.resolve("shots/b.png"));
    Files.copy(GOLDEN.resolve("images/rgb_512x384.png"),
        Files.createDirectories(dir.resolve("huge")).resolve("big.png"));
    Path results = Files.createDirectories(dir.resolve("results/incoming"));
    Files.copy(GOLDEN.resolve("images/rgb_300x250.png"),
        Files.createDirectories(photos.resolve("incoming")).resolve("x.png"));
    Files.writeString(results.resolve("x.png.json"), """
        { "format" : "maclip-result", "format_version" : 1,
          "source" : { "bucket" : "photos", "key" : "incoming/x.png" },
          "ok" : true, "q" : 1.05, "q_sim" : 0.3, "q_mag" : 1.2, "w_sim" : 0.2, "w_mag" : 0.8,
          "views" : 2, "height" : 250, "width" : 300, "error" : null, "pair_probs" : { },
          "model" : { "backbone" : "RN50", "pretrained" : "openai", "sha256" : "abc123" } }
        """);
  }

  /** The guides' {@code ./maclip} commands, continuation lines joined, in order. */
  private static List<String> commands() throws Exception {
    List<String> out = new ArrayList<>();
    for (Path guide : GUIDES) {
      out.addAll(commands(Files.readString(guide)));
    }
    return out;
  }

  private static List<String> commands(String guide) {
    List<String> out = new ArrayList<>();
    Matcher block = BLOCK.matcher(guide);
    while (block.find()) {
      String joined = block.group(1).replaceAll("\\\\\n\\s*", " ");
      joined.lines()
          .map(l -> l.replaceFirst("^\\$ ", "").replaceFirst("^(\\w+=\\S+ )+", "").strip())
          .filter(l -> l.startsWith("./maclip "))
          .forEach(out::add);
    }
    return out;
  }

  /**
   * A command's arguments as the shell would pass them from {@link #dir}: comments dropped, quotes
   * removed, the guides' folder and file names made absolute (the repository's own paths against
   * its root).
   */
  private List<String> arguments(String command) {
    String words = command.replaceAll("\\s+#.*", "").replaceFirst("^\\./maclip ", "");
    List<String> args = new ArrayList<>();
    for (String word : words.split("\\s+")) {
      String arg = word.replace("'", "");
      boolean path = !arg.startsWith("-") && (arg.contains("/") || arg.contains(".")
          || FIXTURES.contains(arg));
      if (!path) {
        args.add(arg);
      } else if (arg.startsWith("maclip-scoring/")) {
        args.add(ROOT.resolve(arg).toString());
      } else {
        args.add(dir + "/" + arg);
      }
    }
    return args;
  }
}
