package org.maclip.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.plugin.PlugIn;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What ImageJ loads first runs on Java 8 and says what to do there; the rest needs Java 17. */
class LauncherTest {
  private static final Pattern ENTRY =
      Pattern.compile("Plugins>MA-CLIP, \"([^\"]+)\", org\\.maclip\\.imagej\\.Launcher\\(\"(\\w+)\"\\)");

  /** The class file's major version: 52 is Java 8, 61 is Java 17. */
  private static int majorVersion(Class<?> type) throws IOException {
    String resource = "/" + type.getName().replace('.', '/') + ".class";
    try (InputStream in = type.getResourceAsStream(resource);
        DataInputStream data = new DataInputStream(in)) {
      assertEquals(0xCAFEBABE, data.readInt());
      data.readUnsignedShort(); // minor
      return data.readUnsignedShort();
    }
  }

  @Test
  void theLauncherIsJava8BytecodeAndTheCommandsJava17() throws Exception {
    assertEquals(52, majorVersion(Launcher.class));
    for (Class<?> command : List.of(ScoreImageCommand.class, Settings.class, Commands.class)) {
      assertEquals(61, majorVersion(command), command.getName());
    }
  }

  @Test
  void everyMenuEntryGoesThroughTheLauncherToAPlugIn() throws Exception {
    List<String> entries = new ArrayList<>();
    try (InputStream in = LauncherTest.class.getResourceAsStream("/plugins.config");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        Matcher m = ENTRY.matcher(line);
        assertTrue(m.matches(), "not through the Launcher: " + line);
        Class<?> command = Class.forName("org.maclip.imagej." + m.group(2));
        assertTrue(PlugIn.class.isAssignableFrom(command), line);
        entries.add(m.group(1));
      }
    }
    assertTrue(entries.contains("MA-CLIP Score"), entries.toString());
  }

  @Test
  void anOldJavaGetsOneLineSayingWhatToDo() {
    assertEquals(
        "MA-CLIP needs Java 17 or newer, and this ImageJ runs Java 1.8: use Fiji-Latest (it runs"
            + " Java 21), or start ImageJ with a Java 17 or newer",
        Launcher.tooOld("1.8"));
    assertTrue(Launcher.tooOld("11").contains("runs Java 11"));
    assertNull(Launcher.tooOld("17"));
    assertNull(Launcher.tooOld("21"));
    assertNull(Launcher.tooOld("something else"));
  }

  @Test
  void fijiPlatformNames() {
    assertEquals("linux64", NativeLibraries.platform("Linux", "amd64"));
    assertEquals("linux-arm64", NativeLibraries.platform("Linux", "aarch64"));
    assertEquals("macos64", NativeLibraries.platform("Mac OS X", "x86_64"));
    assertEquals("macos-arm64", NativeLibraries.platform("Mac OS X", "aarch64"));
    assertEquals("win64", NativeLibraries.platform("Windows 11", "amd64"));
    assertNull(NativeLibraries.platform("Windows 11", "x86"));
    assertNull(NativeLibraries.platform("FreeBSD", "amd64"));
  }
}
