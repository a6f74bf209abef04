package org.maclip.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FormTest {
  private static Form form() {
    return new Form("t")
        .file("Model bundle", "/saved")
        .flag("Raw data range (ignore LUT and display range)", false)
        .flag("Stack: score every slice and frame", true)
        .choice("Dimension", new String[] {"all", "slices", "frames"}, "all")
        .number("Opacity (%)", 50, 0);
  }

  @Test
  void aNumericFieldIsWideEnoughForItsWholeValue() {
    assertEquals(6, Form.columns(50, 0));
    assertEquals(10, Form.columns(89_478_485, 0)); // 8 digits: ImageJ's 6 columns cut it
    assertEquals(8, Form.columns(0.5, 4)); // "0.5000"
  }

  @Test
  void macroOptionsAreReadByTheLabelsFirstWord() {
    Form.Answers a = form().fromMacro("model=[/data/my bundle] stack dimension=Slices opacity=30");
    assertEquals("/data/my bundle", a.text("model"));
    assertTrue(a.flag("stack"));
    assertFalse(a.flag("raw"));
    assertEquals("slices", a.text("dimension"));
    assertEquals(30.0, a.number("opacity"));
  }

  @Test
  void inAMacroAnAbsentCheckboxIsOffAndAnAbsentValueKeepsItsDefault() {
    Form.Answers a = form().fromMacro("raw");
    assertTrue(a.flag("raw"));
    assertFalse(a.flag("stack"));
    assertEquals("/saved", a.text("model"));
    assertEquals(50.0, a.number("opacity"));
  }

  @Test
  void withNoOptionsTheInitialValuesAreUsed() {
    Form.Answers a = form().fromMacro(null);
    assertTrue(a.flag("stack"));
    assertEquals("all", a.text("dimension"));
  }

  @Test
  void aWordInsideABracketedValueIsNotACheckbox() {
    assertFalse(Form.hasWord("model=[/x/stack y]", "stack"));
    assertTrue(Form.hasWord("model=[/x/y] stack", "stack"));
    assertFalse(Form.hasWord("stacked", "stack"));
  }

  @Test
  void badValuesSayWhatIsWrong() {
    IllegalArgumentException n = assertThrows(IllegalArgumentException.class,
        () -> form().fromMacro("opacity=lots"));
    assertEquals("opacity=lots is not a number", n.getMessage());
    IllegalArgumentException c = assertThrows(IllegalArgumentException.class,
        () -> form().fromMacro("dimension=channels"));
    assertEquals("dimension=channels is not one of all, slices, frames", c.getMessage());
  }
}
