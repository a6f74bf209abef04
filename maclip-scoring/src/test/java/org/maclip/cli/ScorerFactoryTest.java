package org.maclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maclip.scoring.Bundle;
import org.maclip.scoring.FusionParams;
import org.maclip.scoring.Scorer;
import org.maclip.scoring.ScorerOptions;

/**
 * Fusion parameters from the command line over the bundle's defaults, with the bundle read once:
 * the scorer runs the very bundle its defaults were taken from.
 */
class ScorerFactoryTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The tiny bundle with defaults of its own (none of them the usual 0.5, 1, 1, 0.6). */
  private static final FusionParams OWN = new FusionParams(0.75, 3.0, 0.2, -0.4);

  @TempDir static Path dir;
  private static Path bundle;

  @BeforeAll
  static void bundleWithItsOwnDefaults() throws Exception {
    Path tiny = Path.of(ScorerFactoryTest.class.getResource("/golden/tinyrn").toURI());
    bundle = Files.createDirectories(dir.resolve("own-defaults"));
    for (String file : Bundle.FILES) {
      Files.copy(tiny.resolve(file), bundle.resolve(file)); // the manifest is written again below
    }
    ObjectNode manifest = (ObjectNode) JSON.readTree(tiny.resolve("maclip.json").toFile());
    ObjectNode defaults = (ObjectNode) manifest.get("defaults");
    defaults.put("lam", OWN.lam()).put("alpha", OWN.alpha())
        .put("b_sim", OWN.bSim()).put("b_mag", OWN.bMag());
    JSON.writeValue(bundle.resolve("maclip.json").toFile(), manifest);
  }

  @Test
  void theScorerRunsTheBundleReadOnceWithTheOverridesOverItsDefaults() {
    Bundle.Loaded loaded = Bundle.read(bundle);
    assertEquals(OWN, loaded.bundle().defaults());
    var lamOnly = new ScorerFactory.Overrides(0.0, null, null, null);
    try (Scorer scorer = ScorerFactory.open(loaded, ScorerOptions.defaults(), lamOnly)) {
      assertSame(loaded.bundle(), scorer.bundle(), "the bundle read once, not a second read");
      assertEquals(new FusionParams(0.0, OWN.alpha(), OWN.bSim(), OWN.bMag()), scorer.params());
    }
    var none = new ScorerFactory.Overrides(null, null, null, null);
    try (Scorer scorer = ScorerFactory.open(loaded, ScorerOptions.defaults(), none)) {
      assertSame(loaded.bundle(), scorer.bundle());
      assertEquals(OWN, scorer.params());
      assertTrue(scorer.options().params().isEmpty(), "no overrides: the bundle's own defaults");
    }
  }

  @Test
  void maclipScoreWithLamZeroGivesTheBundlesScoreWithLamZero() throws Exception {
    Path image = Path.of(ScorerFactoryTest.class.getResource("/golden/images/rgb_300x250.png")
        .toURI());
    CliRun run = CliRun.of("score", image.toString(), "-m", bundle.toString(), "--lam", "0",
        "--format", "jsonl", "-q");
    assertEquals(Exit.OK, run.code(), run.toString());
    JsonNode row = JSON.readTree(run.out());

    FusionParams expected = new FusionParams(0.0, OWN.alpha(), OWN.bSim(), OWN.bMag());
    assertEquals(q(expected, image), row.get("q").asDouble(), 0.0);
    // what a wrong merge would give differs, so the test tells them apart
    assertNotEquals(q(OWN, image), q(expected, image), "λ not applied");
    assertNotEquals(q(new FusionParams(0.0, 1.0, 1.0, 0.6), image), q(expected, image),
        "the others not the bundle's");
  }

  private static double q(FusionParams params, Path image) {
    try (Scorer scorer = Scorer.open(bundle, ScorerOptions.defaults().withParams(params))) {
      return scorer.score(image).q();
    }
  }
}
