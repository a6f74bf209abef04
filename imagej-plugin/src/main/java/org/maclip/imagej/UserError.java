package org.maclip.imagej;

/** A problem the user can fix, shown as one line (dialog, or macro error), never a stack trace. */
public class UserError extends Exception {
  public UserError(String message) {
    super(message);
  }
}
