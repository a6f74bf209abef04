package org.maclip.scoring;

import java.util.ServiceConfigurationError;

/**
 * How failures are told apart and named. Apart from {@link ImageDecoder}, whose readers need
 * TwelveMonkeys: naming a failure must work where a class is missing.
 */
final class Failures {
  private Failures() {}

  /**
   * True for a failure of the set-up, not of one input: a class or native library that is missing
   * or cannot load, a broken service registration. No other input would fare better.
   */
  static boolean isSetup(Throwable e) {
    return e instanceof LinkageError || e instanceof ServiceConfigurationError;
  }

  /** One line naming a failure: its message, else its type, with the root cause's message. */
  static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      message = e.getClass().getSimpleName();
    }
    if (root != e && root.getMessage() != null && !message.contains(root.getMessage())) {
      message += ": " + root.getMessage();
    }
    return message.replaceAll("\\s+", " ").trim();
  }
}
