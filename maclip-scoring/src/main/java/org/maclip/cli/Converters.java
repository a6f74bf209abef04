package org.maclip.cli;

import java.util.Locale;
import java.util.function.Function;
import org.maclip.scoring.Device;
import org.maclip.scoring.Method;
import org.maclip.scoring.ScorerOptions;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parsers of option values; each refuses a bad value with a message saying what to give. */
final class Converters {
  private Converters() {}

  /** A finite number: {@code nan}, {@code inf} and their spellings are refused. */
  static final class Finite implements ITypeConverter<Double> {
    @Override
    public Double convert(String text) {
      if (isNonFiniteWord(text)) {
        throw notFinite(text);
      }
      double value;
      try {
        value = Double.parseDouble(text.trim());
      } catch (NumberFormatException e) {
        throw new TypeConversionException("'" + text + "' is not a number");
      }
      if (!Double.isFinite(value)) {
        throw notFinite(text);
      }
      return value;
    }

    private static TypeConversionException notFinite(String text) {
      return new TypeConversionException("'" + text + "' is not a finite number");
    }

    private static boolean isNonFiniteWord(String text) {
      String word = text.trim().toLowerCase(Locale.ROOT).replaceFirst("^[+-]", "");
      return word.equals("nan") || word.startsWith("inf");
    }
  }

  /** A whole number of at least 1. */
  static final class Positive implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String text) {
      return atLeast(text, 1);
    }
  }

  /** A whole number of at least 0. */
  static final class NonNegative implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String text) {
      return atLeast(text, 0);
    }
  }

  /** A pixel count of at least 1; {@code _} may group digits (89_478_485). */
  static final class PixelCount implements ITypeConverter<Long> {
    @Override
    public Long convert(String text) {
      long value;
      try {
        value = Long.parseLong(text.trim().replace("_", ""));
      } catch (NumberFormatException e) {
        throw new TypeConversionException("'" + text + "' is not a whole number");
      }
      if (value < 1) {
        throw new TypeConversionException("must be at least 1, not " + value);
      }
      return value;
    }
  }

  /** {@code WxH} ({@code 448x448}, {@code 512x384}) or one number for a square. */
  static final class Size implements ITypeConverter<ScorerOptions.Size> {
    @Override
    public ScorerOptions.Size convert(String text) {
      String[] parts = text.trim().toLowerCase(Locale.ROOT).replace('×', 'x').split("x", -1);
      if (parts.length > 2) {
        throw bad(text);
      }
      try {
        int width = Integer.parseInt(parts[0].trim());
        int height = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : width;
        if (width < 1 || height < 1) {
          throw bad(text);
        }
        return new ScorerOptions.Size(width, height);
      } catch (NumberFormatException e) {
        throw bad(text);
      }
    }

    private static TypeConversionException bad(String text) {
      return new TypeConversionException(
          "'" + text + "' is not WxH with positive sides (e.g. 448x448 or 512x384)");
    }
  }

  /** {@code cpu} or {@code cuda}. */
  static final class DeviceName implements ITypeConverter<Device> {
    @Override
    public Device convert(String text) {
      return parsed(Device::parse, text);
    }
  }

  /** {@code maclip}, {@code clipiqa} or {@code magnitude}. */
  static final class MethodName implements ITypeConverter<Method> {
    @Override
    public Method convert(String text) {
      return parsed(Method::parse, text);
    }
  }

  /** {@code table}, {@code csv}, {@code jsonl} or {@code json}. */
  static final class FormatName implements ITypeConverter<OutputFormat> {
    @Override
    public OutputFormat convert(String text) {
      for (OutputFormat format : OutputFormat.values()) {
        if (format.id().equalsIgnoreCase(text.trim())) {
          return format;
        }
      }
      throw new TypeConversionException(
          "unknown format '" + text + "' (use table, csv, jsonl or json)");
    }
  }

  /** {@code parse(text)}; its refusal (IllegalArgumentException) becomes picocli's, same words. */
  private static <T> T parsed(Function<String, T> parse, String text) {
    try {
      return parse.apply(text);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }

  private static int atLeast(String text, int minimum) {
    int value;
    try {
      value = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + text + "' is not a whole number");
    }
    if (value < minimum) {
      throw new TypeConversionException("must be at least " + minimum + ", not " + value);
    }
    return value;
  }
}
