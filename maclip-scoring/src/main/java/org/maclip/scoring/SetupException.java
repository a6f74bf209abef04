package org.maclip.scoring;

/**
 * maclip cannot run here: a class or native library it needs is missing or cannot load. Not a
 * fault of the input being scored, so it is not reported as one: it ends the run.
 */
public class SetupException extends RuntimeException {
  SetupException(String doing, Throwable cause) {
    super("cannot " + doing + ": " + cause.getClass().getSimpleName() + " "
        + Failures.describe(cause) + " (a part of maclip is missing or cannot load here)", cause);
  }
}
