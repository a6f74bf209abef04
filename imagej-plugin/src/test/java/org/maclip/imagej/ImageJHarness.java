package org.maclip.imagej;

import ij.IJ;
import ij.Menus;
import ij.WindowManager;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Hashtable;

/**
 * The real ImageJ in this JVM, headless, with the plugin's commands registered from its own
 * plugins.config (as ImageJ does when it finds the jar), for running macros.
 */
final class ImageJHarness {
  private ImageJHarness() {}

  /** The golden files of maclip-scoring (tiny bundles and images). */
  static Path golden() {
    return Paths.get(System.getProperty("maclip.golden",
        "../maclip-scoring/src/test/resources/golden"));
  }

  static Path tinyBundle() {
    return golden().resolve("tinyrn");
  }

  /**
   * Registers the commands of plugins.config with ImageJ's command table. ImageJ 1.x builds that
   * table along with its AWT menu bar, which cannot exist headless; Fiji's headless mode fills it
   * without menus, and so does this (the table is a private field, hence reflection).
   */
  @SuppressWarnings("unchecked")
  static synchronized void installCommands() throws IOException, ReflectiveOperationException {
    if (Menus.getCommands() == null) {
      Field table = Menus.class.getDeclaredField("pluginsTable");
      table.setAccessible(true);
      table.set(null, new Hashtable<String, String>());
    }
    Hashtable<String, String> commands = Menus.getCommands();
    try (InputStream in = ImageJHarness.class.getResourceAsStream("/plugins.config");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] parts = line.split(",", 3);
        String label = parts[1].trim().replace("\"", "");
        commands.put(label, parts[2].trim());
      }
    }
  }

  /** Runs a macro; returns what it returned and what ImageJ printed (errors, log). */
  static Outcome run(String macro) {
    PrintStream saved = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    String returned;
    try {
      returned = IJ.runMacro(macro);
    } finally {
      System.setOut(saved);
    }
    String out = printed.toString(StandardCharsets.UTF_8);
    saved.print(out);
    return new Outcome(returned, out);
  }

  static void closeAll() {
    IJ.runMacro("close('*');");
    WindowManager.setTempCurrentImage(null);
  }

  /** A macro's return value and printed output. */
  record Outcome(String returned, String printed) {}
}
