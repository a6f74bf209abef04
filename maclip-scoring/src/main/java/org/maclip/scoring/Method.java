package org.maclip.scoring;

/** Which cue gives the final score. Both cues are always reported. */
public enum Method {
  /** The paper's confidence-guided fusion of Q_sim and Q_mag. */
  MACLIP,
  /** Q_sim alone (CLIP-IQA style): w_sim = 1. */
  CLIPIQA,
  /** Q_mag alone: w_mag = 1. */
  MAGNITUDE;

  /** The lower-case name used on the command line and in files. */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Parses {@code maclip}, {@code clipiqa} or {@code magnitude}, any case. */
  public static Method parse(String text) {
    for (Method m : values()) {
      if (m.id().equalsIgnoreCase(text.trim())) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown method '" + text + "' (use maclip, clipiqa or magnitude)");
  }
}
