package org.maclip.imagej;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The models installed by Install Model...: one bundle folder per name under a root, by default
 * {@code models/maclip/} in Fiji's own folder ({@link FijiFolder}). The system property {@value #PROPERTY}
 * names another root (tests, or a shared installation).
 *
 * @param root the folder that holds one folder per installed model (it need not exist yet)
 */
record InstalledModels(Path root) {
  /** A system property naming another root. */
  static final String PROPERTY = "maclip.models";

  /** A name: a letter or digit, then letters, digits, '.', '-', '_'; 64 at most; no final dot. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** Names Windows reserves for devices, with or without an extension ({@code nul.txt} too). */
  private static final Pattern RESERVED =
      Pattern.compile("(?i)(con|prn|aux|nul|com[0-9]|lpt[0-9])(\\..*)?");

  private static final String MANIFEST = "maclip.json";

  InstalledModels {
    root = root.toAbsolutePath().normalize();
  }

  /** The models of this ImageJ: {@value #PROPERTY} if set, else ImageJ's folder/models/maclip. */
  static InstalledModels here() {
    String property = System.getProperty(PROPERTY);
    if (property != null && !property.isBlank()) {
      return new InstalledModels(Paths.get(property.trim()));
    }
    return new InstalledModels(FijiFolder.root().resolve("models").resolve("maclip"));
  }

  /**
   * True when {@code text} can be a model's name (and so a file or folder name on every system:
   * no separator, no {@code name:stream}, no name Windows reserves such as {@code CON}).
   */
  static boolean isName(String text) {
    return text != null && NAME.matcher(text).matches() && !text.endsWith(".")
        && !isReserved(text);
  }

  /** True for a name Windows reserves for a device ({@code CON}, {@code nul.txt}, ...). */
  static boolean isReserved(String text) {
    return RESERVED.matcher(text).matches();
  }

  /**
   * A name made from a file, folder or address: the last part of the path without {@code .zip}
   * (a chosen maclip.json or visual.onnx stands for its folder), with anything but letters,
   * digits, '.', '-' and '_' replaced by '_'; {@code model} when nothing usable is left.
   */
  static String nameFor(String source) {
    String path = source.trim();
    if (path.matches("(?i)https?://.*")) {
      try {
        path = URI.create(path).getPath(); // decoded, without ?query and #fragment
      } catch (IllegalArgumentException e) {
        path = path.replaceFirst("[?#].*", "");
      }
      path = path == null ? "" : path;
    }
    String[] parts = path.split("[/\\\\]+");
    String last = "";
    for (int i = parts.length - 1; i >= 0; i--) {
      String part = parts[i];
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if ((part.equals(MANIFEST) || part.equals("visual.onnx")) && i > 0 && last.isEmpty()) {
        continue; // the file chooser picks a folder's maclip.json: the folder names the model
      }
      last = part;
      break;
    }
    if (last.toLowerCase(Locale.ROOT).endsWith(".zip")) {
      last = last.substring(0, last.length() - 4);
    }
    String name = last.replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("^[._-]+", "")
        .replaceAll("\\.+$", "");
    if (name.length() > 64) {
      name = name.substring(0, 64).replaceAll("\\.+$", "");
    }
    return isName(name) ? name : "model";
  }

  /** The installed model's folder, by name; empty when none has this name. */
  Optional<Path> find(String name) {
    if (!isName(name)) {
      return Optional.empty();
    }
    Path folder = root.resolve(name);
    return Files.isRegularFile(folder.resolve(MANIFEST)) ? Optional.of(folder) : Optional.empty();
  }

  /** The installed models' names, sorted (folders with a maclip.json; none if no root). */
  List<String> names() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> folders = Files.list(root)) {
      return folders.map(p -> p.getFileName().toString())
          .filter(n -> find(n).isPresent())
          .sorted(String.CASE_INSENSITIVE_ORDER)
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** What to say when {@code name} is no installed model: which ones are. */
  String unknown(String name) {
    List<String> names = names();
    String installed = names.isEmpty()
        ? "no models are installed in " + root
        : "installed: " + String.join(", ", names) + " (in " + root + ")";
    return "no installed model is named '" + name + "'; " + installed
        + ". Install one with Plugins > MA-CLIP > Install Model..., or give a bundle's path";
  }
}
