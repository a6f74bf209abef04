package org.maclip.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KeyFilterTest {
  private static final List<String> IMAGES = List.of(".jpg", ".PNG");

  @Test
  void acceptsImagesUnderTheInputPrefixWhateverTheSuffixCase() {
    KeyFilter filter = new KeyFilter("incoming/", IMAGES, "maclip-results/", null);
    assertEquals(Optional.empty(), filter.rejection("b", "incoming/a/b/c.JPG"));
    assertEquals(Optional.empty(), filter.rejection("b", "incoming/x.png"));
    assertTrue(filter.rejection("b", "other/x.png").orElseThrow().contains("input prefix"));
    assertTrue(filter.rejection("b", "incoming/x.gif").orElseThrow().contains("does not end"));
    assertTrue(filter.rejection("b", "incoming/").isPresent(), "a folder marker");
  }

  @Test
  void neverAcceptsItsOwnResultsEvenWhenEverythingElseMatches() {
    KeyFilter wholeBucket = new KeyFilter("", List.of(".png", ".json"), "maclip-results/", null);
    assertTrue(wholeBucket.rejection("b", "maclip-results/x.png").orElseThrow()
        .contains("where results are written"));
    assertTrue(wholeBucket.rejection("b", "maclip-results/x.png.json").isPresent());
    assertEquals(Optional.empty(), wholeBucket.rejection("b", "x.png"));

    KeyFilter nested = new KeyFilter("in/", IMAGES, "in/maclip/", null);
    assertTrue(nested.rejection("b", "in/maclip/x.png").isPresent());
    assertEquals(Optional.empty(), nested.rejection("b", "in/x.png"));
  }

  @Test
  void aSeparateResultsBucketGuardsOnlyThatBucket() {
    KeyFilter filter = new KeyFilter("", IMAGES, "", "results");
    assertTrue(filter.rejection("results", "x.png").isPresent());
    assertEquals(Optional.empty(), filter.rejection("images", "x.png"));
    assertEquals("results", filter.resultsBucketFor("images"));
    assertEquals("x.png.json", filter.resultKeyFor("x.png"));
  }

  @Test
  void resultKeysAreDeterministic() {
    KeyFilter filter = new KeyFilter("", IMAGES, "maclip-results/", null);
    assertEquals("images", filter.resultsBucketFor("images"));
    assertEquals("maclip-results/a b/c+d.png.json", filter.resultKeyFor("a b/c+d.png"));
    assertEquals(filter.resultKeyFor("a b/c+d.png"), filter.resultKeyFor("a b/c+d.png"));
  }

  @Test
  void refusesToWriteResultsAmongTheImages() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new KeyFilter("", IMAGES, "", null));
    assertTrue(e.getMessage().contains("maclip.results-bucket"), e.getMessage());
  }
}
