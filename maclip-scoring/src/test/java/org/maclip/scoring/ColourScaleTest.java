package org.maclip.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ColourScaleTest {
  @Test
  void endsAreTheFirstAndLastAnchorsAndBetweenIsLinear() {
    assertEquals(0x440154, ColourScale.rgb(0));
    assertEquals(0xfde725, ColourScale.rgb(1));
    // halfway between the 5th and 6th anchors (38,130,142) and (31,158,137)
    assertEquals((35 << 16) | (144 << 8) | 140, ColourScale.rgb(4.5 / 9));
    assertEquals(ColourScale.rgb(0), ColourScale.rgb(Double.NaN));
    assertEquals(ColourScale.rgb(1), ColourScale.rgb(7));
    assertEquals(10, ColourScale.anchors().length);
  }
}
