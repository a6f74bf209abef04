package org.maclip.imagej;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where ONNX Runtime's native libraries are in a Fiji installed from the update site:
 * {@code lib/<platform>/} beside {@code plugins/}, the folder Fiji's Updater fills on that platform
 * only. ONNX Runtime's jar there holds no libraries of its own, so this points it at the folder
 * ({@code onnxruntime.native.path}) before it first loads. A path already set, or a folder without
 * the libraries (a jar that carries them, as the build's own tests use), is left alone.
 */
final class NativeLibraries {
  static final String PATH_PROPERTY = "onnxruntime.native.path";

  private NativeLibraries() {}

  /** Points ONNX Runtime at {@code <Fiji>/lib/<platform>} when the libraries are there. */
  static synchronized void configure() {
    String platform = platform(System.getProperty("os.name"), System.getProperty("os.arch"));
    if (System.getProperty(PATH_PROPERTY) != null || platform == null) {
      return;
    }
    Path folder = FijiFolder.root().resolve("lib").resolve(platform);
    if (Files.isRegularFile(folder.resolve(System.mapLibraryName("onnxruntime")))) {
      System.setProperty(PATH_PROPERTY, folder.toString());
    }
  }

  /**
   * Fiji's name for a platform ({@code linux64}, {@code linux-arm64}, {@code macos64},
   * {@code macos-arm64}, {@code win64}), or null for one ONNX Runtime has no libraries for.
   */
  static String platform(String osName, String osArch) {
    String os = osName.toLowerCase(Locale.ROOT);
    boolean arm = osArch.equals("aarch64") || osArch.equals("arm64");
    boolean x64 = osArch.equals("amd64") || osArch.equals("x86_64");
    if (os.startsWith("linux")) {
      return arm ? "linux-arm64" : x64 ? "linux64" : null;
    }
    if (os.startsWith("mac") || os.startsWith("darwin")) {
      return arm ? "macos-arm64" : x64 ? "macos64" : null;
    }
    if (os.startsWith("windows")) {
      return x64 ? "win64" : null;
    }
    return null;
  }
}
