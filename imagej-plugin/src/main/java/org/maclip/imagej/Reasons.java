package org.maclip.imagej;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reasons for the Error column and the Log in plain words: ImageJ's opener reports a failure as
 * the exception's {@code toString()} ("javax.imageio.IIOException: Error reading PNG image
 * data"); the user gets the message without the class name, or the class's simple name in words
 * when there is no message ("end of file" for an {@code EOFException}).
 */
final class Reasons {
  /** A qualified exception or error class name, with the ": " that follows it. */
  private static final Pattern CLASS_NAME =
      Pattern.compile("\\b(?:[a-z_][\\w$]*\\.)+([A-Z][\\w$]*(?:Exception|Error))(?::\\s*)?");

  private Reasons() {}

  /** {@code text} on one line, each exception class name dropped or put in words. */
  static String plain(String text) {
    String line = text.replaceAll("\\s*\\n\\s*", " ").trim();
    Matcher m = CLASS_NAME.matcher(line);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      boolean messageFollows = m.group().endsWith(":") || m.group().endsWith(" ");
      m.appendReplacement(out,
          messageFollows ? "" : Matcher.quoteReplacement(words(m.group(1))));
    }
    m.appendTail(out);
    String plain = out.toString().trim();
    return plain.isEmpty() ? "unknown failure" : plain;
  }

  /** A failure's message in plain words, or its class name in words when it has none. */
  static String plain(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank()
        ? words(e.getClass().getSimpleName()) : plain(message);
  }

  /** "end of file" for {@code EOFException}, "negative array size" for its namesake. */
  private static String words(String simpleName) {
    String base = simpleName.replaceFirst("(Exception|Error)$", "");
    if (base.equals("EOF")) {
      return "end of file";
    }
    return base.replaceAll("(?<=[a-z])(?=[A-Z])", " ").toLowerCase(java.util.Locale.ROOT);
  }
}
