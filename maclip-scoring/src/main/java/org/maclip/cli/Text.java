package org.maclip.cli;

/** Text shown on one line: control characters in file names and messages made visible. */
final class Text {
  private Text() {}

  /** {@code text} with each control character written as {@code \n}, {@code \t} or {@code \xNN}. */
  static String printable(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!Character.isISOControl(c)) {
        if (out != null) {
          out.append(c);
        }
        continue;
      }
      if (out == null) {
        out = new StringBuilder(text.length() + 8).append(text, 0, i);
      }
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> out.append(String.format("\\x%02x", (int) c));
      }
    }
    return out == null ? text : out.toString();
  }
}
