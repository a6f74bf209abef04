package org.maclip.imagej;

import ij.Prefs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Optional;
import org.maclip.scoring.Device;
import org.maclip.scoring.MemoryBudget;
import org.maclip.scoring.ScorerOptions;

/**
 * What the plugin remembers in ImageJ's preferences (IJ_Prefs.txt): the model bundle, ONNX
 * Runtime threads, views per batch, the device and the pixel limit.
 *
 * @param model the bundle: an installed model's name, a folder, its maclip.json, or a .zip
 *     ("" when none is set)
 * @param threads ONNX Runtime threads, 0 for automatic
 * @param batchSize views per encoder run (bounds memory)
 * @param device cpu or cuda
 * @param maxPixels images with more pixels (as opened, or as prepared for viewing) are refused
 */
public record Settings(String model, int threads, int batchSize, Device device, long maxPixels) {
  static final String MODEL_KEY = "maclip.model";
  static final String THREADS_KEY = "maclip.threads";
  static final String BATCH_KEY = "maclip.batch";
  static final String DEVICE_KEY = "maclip.device";
  static final String MAX_PIXELS_KEY = "maclip.maxPixels";

  /** The Settings dialog's field for the pixel limit; its first word is the macro key. */
  static final String MAX_PIXELS_LABEL = "Max pixels (decompression-bomb guard)";

  /** How a refusal over the pixel limit tells the user to raise it. */
  static final String MAX_PIXELS_SETTING =
      "'Max pixels' in Plugins > MA-CLIP > Settings... (max= in macros)";

  /** ImageJ's free heap bounds one image; the refusal says where to raise it. */
  static final MemoryBudget MEMORY =
      new MemoryBudget(0, "ImageJ", "raise its maximum in Edit > Options > Memory & Threads");

  public Settings {
    model = model == null ? "" : model.trim();
    // Checks the numbers now, with ScorerOptions' own messages.
    options(threads, batchSize, device, maxPixels);
  }

  /** The settings saved in ImageJ's preferences, or the defaults. */
  public static Settings load() {
    ScorerOptions d = ScorerOptions.defaults();
    try {
      return new Settings(
          Prefs.get(MODEL_KEY, ""),
          (int) Prefs.get(THREADS_KEY, d.threads()),
          (int) Prefs.get(BATCH_KEY, d.batchSize()),
          Device.parse(Prefs.get(DEVICE_KEY, d.device().name())),
          (long) Prefs.get(MAX_PIXELS_KEY, d.maxPixels()));
    } catch (IllegalArgumentException e) {
      return new Settings(
          Prefs.get(MODEL_KEY, ""), d.threads(), d.batchSize(), d.device(), d.maxPixels());
    }
  }

  /**
   * Remembers these settings for this session; ImageJ writes them to IJ_Prefs.txt when it quits
   * (a headless run never writes its preferences: pass model=[...] in each macro call there).
   */
  public void save() {
    Prefs.set(MODEL_KEY, model);
    Prefs.set(THREADS_KEY, threads);
    Prefs.set(BATCH_KEY, batchSize);
    Prefs.set(DEVICE_KEY, device.name().toLowerCase(Locale.ROOT));
    Prefs.set(MAX_PIXELS_KEY, maxPixels);
  }

  /**
   * These settings with the model a command's dialog or macro named (when it named one), which
   * becomes the remembered model.
   */
  public Settings remember(String value) {
    if (value == null || value.isBlank() || value.trim().equals(model)) {
      return this;
    }
    Settings changed = withModel(value);
    changed.save();
    return changed;
  }

  public Settings withModel(String value) {
    return new Settings(value, threads, batchSize, device, maxPixels);
  }

  /** The scorer options these settings ask for. */
  public ScorerOptions options() {
    return options(threads, batchSize, device, maxPixels);
  }

  private static ScorerOptions options(int threads, int batchSize, Device device, long maxPixels) {
    return ScorerOptions.defaults().withThreads(threads).withBatchSize(batchSize)
        .withDevice(device).withMaxPixels(maxPixels).withMaxPixelsSetting(MAX_PIXELS_SETTING)
        .withMemory(MEMORY);
  }

  /**
   * The bundle to load: an installed model by name (Install Model...), the folder itself, the
   * folder of a chosen maclip.json or visual.onnx (the file chooser can only pick files), or a
   * .zip.
   *
   * @throws UserError when no bundle is set, or no installed model has the name and no file
   *     has the path
   */
  public Path bundle() throws UserError {
    return bundle(InstalledModels.here());
  }

  /** {@link #bundle()} with these installed models. */
  Path bundle(InstalledModels models) throws UserError {
    if (model.isEmpty()) {
      throw new UserError("no model bundle is set: choose one in Plugins > MA-CLIP > Settings..."
          + " or pass model=[name] (an installed model) or model=[/path/to/bundle]");
    }
    Optional<Path> installed = models.find(model);
    if (installed.isPresent()) {
      return installed.get();
    }
    Path path = Paths.get(model).toAbsolutePath().normalize();
    String name = path.getFileName() == null ? "" : path.getFileName().toString();
    if (Files.isRegularFile(path) && (name.equals("maclip.json") || name.equals("visual.onnx"))) {
      path = path.getParent();
    }
    if (!Files.exists(path)) {
      if (InstalledModels.isName(model) && !model.toLowerCase(Locale.ROOT).endsWith(".zip")) {
        throw new UserError(models.unknown(model));
      }
      throw new UserError("model bundle " + path + " does not exist");
    }
    return path;
  }
}
