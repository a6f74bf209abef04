package org.maclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of the repository's Markdown files leads to a file that exists and, with a
 * {@code #section}, to a heading of that file (as GitHub names its anchors): a guide's pointer to
 * where a figure or a fact lives breaks when that section moves.
 */
class GuideLinksTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern HEADING = Pattern.compile("^#+ (.*)$", Pattern.MULTILINE);
  private static final Pattern FENCE = Pattern.compile("```.*?```", Pattern.DOTALL);

  @Test
  void everyRelativeLinkLeadsToAFileAndASection() throws IOException {
    List<Path> guides = markdown();
    assertTrue(guides.contains(ROOT.resolve("docs/performance.md")), guides.toString());
    Map<Path, Set<String>> anchors = new HashMap<>();
    List<String> broken = new ArrayList<>();
    for (Path guide : guides) {
      Matcher link = LINK.matcher(FENCE.matcher(Files.readString(guide)).replaceAll(""));
      while (link.find()) {
        String target = link.group(1);
        if (target.matches("^[a-z]+:.*")) {
          continue; // http:, https:, mailto:
        }
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path to = file.isEmpty() ? guide : guide.getParent().resolve(file).normalize();
        if (!Files.exists(to)) {
          broken.add(ROOT.relativize(guide) + ": " + target + " (no such file)");
        } else if (hash >= 0 && to.toString().endsWith(".md")
            && !anchors.computeIfAbsent(to, GuideLinksTest::anchors)
                .contains(target.substring(hash + 1))) {
          broken.add(ROOT.relativize(guide) + ": " + target + " (no such section)");
        }
      }
    }
    assertEquals(List.of(), broken);
  }

  /** The repository's Markdown files, build output left out. */
  private static List<Path> markdown() throws IOException {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files.filter(p -> p.toString().endsWith(".md"))
          .filter(p -> Stream.of(ROOT.relativize(p).toString().split("/"))
              .noneMatch(part -> part.equals("target") || part.startsWith(".")
                  || part.equals("node_modules")))
          .sorted()
          .toList();
    }
  }

  /** A file's headings as GitHub's anchors: lower case, punctuation dropped, spaces as hyphens. */
  private static Set<String> anchors(Path file) {
    try {
      Matcher heading = HEADING.matcher(FENCE.matcher(Files.readString(file)).replaceAll(""));
      return heading.results()
          .map(h -> h.group(1).strip().toLowerCase(Locale.ROOT)
              .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'))
          .collect(Collectors.toSet());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
