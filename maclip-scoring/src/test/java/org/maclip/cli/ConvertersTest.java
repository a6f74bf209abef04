package org.maclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.maclip.scoring.Device;
import org.maclip.scoring.Method;
import org.maclip.scoring.ScorerOptions;
import picocli.CommandLine.TypeConversionException;

class ConvertersTest {
  @ParameterizedTest
  @ValueSource(strings = {"nan", "NaN", "-nan", "inf", "-inf", "Infinity", "+infinity", "1e999"})
  void nonFiniteNumbersAreRefused(String text) {
    TypeConversionException e =
        assertThrows(TypeConversionException.class, () -> new Converters.Finite().convert(text));
    assertEquals("'" + text + "' is not a finite number", e.getMessage());
  }

  @Test
  void finiteNumbersPass() {
    assertEquals(0.25, new Converters.Finite().convert(" 0.25 "));
    assertEquals(-3.0, new Converters.Finite().convert("-3"));
    assertThrows(TypeConversionException.class, () -> new Converters.Finite().convert("half"));
  }

  @Test
  void sizesAreWidthByHeight() {
    assertEquals(new ScorerOptions.Size(512, 384), new Converters.Size().convert("512x384"));
    assertEquals(new ScorerOptions.Size(448, 448), new Converters.Size().convert("448"));
    assertEquals(new ScorerOptions.Size(640, 480), new Converters.Size().convert("640×480"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0x10", "10x0", "-5x5", "axb", "1x2x3", "", "x", "12x"})
  void badSizesAreRefused(String text) {
    TypeConversionException e =
        assertThrows(TypeConversionException.class, () -> new Converters.Size().convert(text));
    assertTrue(e.getMessage().contains("is not WxH with positive sides"), e.getMessage());
  }

  @Test
  void countsHaveTheirLowerBounds() {
    assertEquals(1, new Converters.Positive().convert("1"));
    assertThrows(TypeConversionException.class, () -> new Converters.Positive().convert("0"));
    assertEquals(0, new Converters.NonNegative().convert("0"));
    assertThrows(TypeConversionException.class, () -> new Converters.NonNegative().convert("-1"));
    assertEquals(89_478_485L, new Converters.PixelCount().convert("89_478_485"));
    assertThrows(TypeConversionException.class, () -> new Converters.PixelCount().convert("0"));
  }

  @Test
  void namesOfFormatsDevicesAndMethods() {
    assertEquals(OutputFormat.JSONL, new Converters.FormatName().convert("JSONL"));
    assertThrows(TypeConversionException.class, () -> new Converters.FormatName().convert("xml"));
    assertEquals(Device.CUDA, new Converters.DeviceName().convert("cuda"));
    assertEquals(Method.CLIPIQA, new Converters.MethodName().convert("clipiqa"));
    assertThrows(TypeConversionException.class, () -> new Converters.DeviceName().convert("tpu"));
    assertThrows(TypeConversionException.class, () -> new Converters.MethodName().convert("x"));
  }

  @Test
  void formatFollowsTheOutputSuffixUnlessGiven() {
    assertEquals(OutputFormat.CSV, OutputFormat.choose(null, Path.of("r.CSV")));
    assertEquals(OutputFormat.JSONL, OutputFormat.choose(null, Path.of("r.ndjson")));
    assertEquals(OutputFormat.JSON, OutputFormat.choose(null, Path.of("out/r.json")));
    assertEquals(OutputFormat.TABLE, OutputFormat.choose(null, Path.of("r.txt")));
    assertEquals(OutputFormat.TABLE, OutputFormat.choose(null, null));
    assertEquals(OutputFormat.CSV, OutputFormat.choose(OutputFormat.CSV, Path.of("r.json")));
  }
}
