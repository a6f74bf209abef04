package org.maclip.imagej;

import ij.IJ;
import ij.macro.Interpreter;
import ij.plugin.PlugIn;

/**
 * What ImageJ loads first for every MA-CLIP menu command ({@code plugins.config} names it with the
 * command's class as its argument). Compiled for Java 8, unlike the rest of the plugin (Java 17),
 * so that on an old Fiji it can say in one line what to do instead of a class-version trace.
 */
public final class Launcher implements PlugIn {
  /** The Java the rest of the plugin is compiled for. */
  static final int REQUIRED_JAVA = 17;

  @Override
  public void run(String commandClass) {
    String problem = tooOld(System.getProperty("java.specification.version"));
    if (problem != null) {
      report(problem);
      return;
    }
    PlugIn command;
    try {
      command = (PlugIn) Class.forName(Launcher.class.getPackage().getName() + "." + commandClass)
          .getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      report("the command " + commandClass + " cannot load (" + e + "): reinstall MA_CLIP.jar");
      return;
    }
    command.run("");
  }

  /**
   * Why this Java cannot run the plugin, or null when it can.
   *
   * @param specificationVersion {@code java.specification.version}: "1.8", "11", "21"...
   */
  static String tooOld(String specificationVersion) {
    int major;
    try {
      String v = specificationVersion.startsWith("1.")
          ? specificationVersion.substring(2) : specificationVersion;
      major = Integer.parseInt(v.split("\\.")[0]);
    } catch (RuntimeException e) {
      return null; // an unknown form: let the JVM speak for itself
    }
    if (major >= REQUIRED_JAVA) {
      return null;
    }
    return "MA-CLIP needs Java " + REQUIRED_JAVA + " or newer, and this ImageJ runs Java "
        + specificationVersion + ": use Fiji-Latest (it runs Java 21), or start ImageJ with a"
        + " Java " + REQUIRED_JAVA + " or newer";
  }

  /** A dialog with ImageJ's window up; else one log line, and a running macro stops. */
  private static void report(String message) {
    if (IJ.getInstance() != null) {
      IJ.error("MA-CLIP", message);
      return;
    }
    IJ.log("MA-CLIP: " + message);
    Interpreter macro = Interpreter.getInstance();
    if (macro != null) {
      macro.setIgnoreErrors(true);
      macro.abort(message);
    }
  }
}
