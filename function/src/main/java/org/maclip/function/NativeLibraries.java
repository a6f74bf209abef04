package org.maclip.function;

import io.quarkus.runtime.ImageMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * In the native binary, ONNX Runtime cannot unpack its libraries from a jar: they ship beside
 * the binary, and this points ONNX Runtime at them before the first session opens.
 */
final class NativeLibraries {
  static final String PROPERTY = "onnxruntime.native.path";
  static final String LIBRARY = "libonnxruntime.so";

  private NativeLibraries() {}

  /** Sets {@value #PROPERTY} when running natively and nobody set it already. */
  static void configure() {
    if (ImageMode.current() != ImageMode.NATIVE_RUN || System.getProperty(PROPERTY) != null) {
      return;
    }
    ProcessHandle.current().info().command().map(Path::of)
        .flatMap(NativeLibraries::besideExecutable)
        .ifPresent(dir -> System.setProperty(PROPERTY, dir.toString()));
  }

  /** The executable's folder, when ONNX Runtime's library lies there. */
  static Optional<Path> besideExecutable(Path executable) {
    Path dir = executable.toAbsolutePath().getParent();
    return dir != null && Files.isRegularFile(dir.resolve(LIBRARY))
        ? Optional.of(dir) : Optional.empty();
  }
}
