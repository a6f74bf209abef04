package org.maclip.scoring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The machine scores are computed on, in one line: architecture, CPU model and the CPU features
 * that choose ONNX Runtime's int8 kernels, and ONNX Runtime's version. A self-check that fails
 * names it, so a score that would depend on the CPU is traced to the CPU.
 */
public final class Machine {
  /** Features that change which int8 kernels ONNX Runtime runs (x86-64 and arm64 names). */
  static final List<String> INT8_FEATURES =
      List.of("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8", "asimddp", "i8mm");

  private static volatile String line;

  private Machine() {}

  /** For example {@code amd64, AMD EPYC (avx2 avx512f avx512_vnni), ONNX Runtime 1.23.2}. */
  public static String describe() {
    String known = line;
    if (known == null) {
      known = System.getProperty("os.arch") + ", " + cpu() + ", ONNX Runtime " + engine();
      line = known;
    }
    return known;
  }

  /** The CPU's model and int8 features from {@code /proc/cpuinfo}; the OS name elsewhere. */
  static String cpu() {
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
    } catch (IOException | RuntimeException e) {
      return System.getProperty("os.name") + " CPU";
    }
    return cpu(lines);
  }

  /** The CPU line of {@code cpuinfo}'s lines: its first model name and its first flags. */
  static String cpu(List<String> cpuinfo) {
    String name = null;
    Set<String> flags = null;
    for (String entry : cpuinfo) {
      int colon = entry.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = entry.substring(0, colon).trim();
      String value = entry.substring(colon + 1).trim();
      if (name == null && (key.equals("model name") || key.equals("Model"))) {
        name = value;
      } else if (flags == null && (key.equals("flags") || key.equals("Features"))) {
        flags = Set.copyOf(Arrays.asList(value.split("\\s+")));
      }
    }
    List<String> found = new ArrayList<>();
    for (String feature : INT8_FEATURES) {
      if (flags != null && flags.contains(feature)) {
        found.add(feature);
      }
    }
    return (name == null ? "unknown CPU" : name)
        + " (" + (found.isEmpty() ? "no int8 features" : String.join(" ", found)) + ")";
  }

  private static String engine() {
    try {
      return ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion();
    } catch (RuntimeException | LinkageError e) {
      return "(version unknown)";
    }
  }
}
