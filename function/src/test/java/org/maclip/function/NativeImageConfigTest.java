package org.maclip.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What can be checked of the native-image configuration without GraalVM (none here): that it
 * names classes and resources that exist, and every ONNX Runtime class its JNI library looks up.
 */
class NativeImageConfigTest {
  private static final String DIR = "/META-INF/native-image/org.maclip/maclip-function/";
  private static final String JNI_LIBRARY = "/ai/onnxruntime/native/linux-x64/libonnxruntime4j_jni.so";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode config(String file) throws IOException {
    try (InputStream in = NativeImageConfigTest.class.getResourceAsStream(DIR + file)) {
      return JSON.readTree(in);
    }
  }

  @Test
  void everyJniClassExists() throws Exception {
    for (JsonNode entry : config("jni-config.json")) {
      Class.forName(entry.path("name").asText(), false, getClass().getClassLoader());
    }
  }

  @Test
  void everyOnnxRuntimeClassTheJniLibraryLooksUpIsRegistered() throws IOException {
    Set<String> registered = new HashSet<>();
    config("jni-config.json").forEach(e -> registered.add(e.path("name").asText()));
    byte[] library;
    try (InputStream in = getClass().getResourceAsStream(JNI_LIBRARY)) {
      library = in.readAllBytes();
    }
    Matcher m = Pattern.compile("ai/onnxruntime/[A-Za-z$]+")
        .matcher(new String(library, StandardCharsets.ISO_8859_1));
    Set<String> lookedUp = new TreeSet<>();
    while (m.find()) {
      lookedUp.add(m.group().replace('/', '.'));
    }
    assertFalse(lookedUp.isEmpty(), "no class names found in " + JNI_LIBRARY);
    lookedUp.removeAll(registered);
    assertEquals(Set.of(), lookedUp, "looked up by the JNI library but not in jni-config.json");
  }

  @Test
  void everyResourcePatternMatchesAResourceOnTheClassPath() throws IOException {
    List<String> resources = classPathResources();
    for (JsonNode include : config("resource-config.json").path("resources").path("includes")) {
      Pattern pattern = Pattern.compile(include.path("pattern").asText());
      assertTrue(resources.stream().anyMatch(r -> pattern.matcher(r).matches()),
          "no resource matches " + pattern);
    }
  }

  @Test
  void onnxRuntimeIsInitialisedInTheBinaryNotAtBuildTime() throws IOException {
    Properties properties = new Properties();
    try (InputStream in = getClass().getResourceAsStream(DIR + "native-image.properties")) {
      properties.load(in);
    }
    assertTrue(properties.getProperty("Args").contains("--initialize-at-run-time=ai.onnxruntime"));
  }

  @Test
  void onnxRuntimeLibrariesAreFoundBesideTheExecutable(@TempDir Path dir) throws IOException {
    Path executable = dir.resolve("runner");
    assertEquals(Optional.empty(), NativeLibraries.besideExecutable(executable));
    Files.createFile(dir.resolve(NativeLibraries.LIBRARY));
    assertEquals(Optional.of(dir), NativeLibraries.besideExecutable(executable));
  }

  /** Every file in the class path's jars and folders, as a resource name. */
  private static List<String> classPathResources() throws IOException {
    List<String> names = new ArrayList<>();
    // Surefire runs tests from a manifest-only jar and names the real class path here.
    String classPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    for (String entry : classPath.split(File.pathSeparator)) {
      Path path = Path.of(entry);
      if (Files.isDirectory(path)) {
        try (Stream<Path> files = Files.walk(path)) {
          files.filter(Files::isRegularFile)
              .forEach(f -> names.add(path.relativize(f).toString().replace(File.separatorChar, '/')));
        }
      } else if (entry.endsWith(".jar") && Files.isRegularFile(path)) {
        try (JarFile jar = new JarFile(path.toFile())) {
          jar.stream().forEach(e -> names.add(e.getName()));
        }
      }
    }
    return names;
  }
}
