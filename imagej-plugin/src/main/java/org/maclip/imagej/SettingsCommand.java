package org.maclip.imagej;

import ij.IJ;
import ij.plugin.PlugIn;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.maclip.scoring.Device;

/**
 * Plugins › MA-CLIP › MA-CLIP Settings...: the model (an installed one by name, or a bundle by
 * its path), threads, batch size, device and pixel limit, remembered in ImageJ's preferences.
 * Changing them unloads the kept model.
 *
 * <p>Macro: {@code run("MA-CLIP Settings...",
 *     "model=[rn50] threads=0 batch=32 device=cpu max=89478485");} ({@code model=[/path/to/bundle]}
 * or {@code path=[/path/to/bundle]} for a bundle that is not installed)
 */
public final class SettingsCommand implements PlugIn {
  static final String COMMAND = "MA-CLIP Settings...";
  private static final String[] DEVICES = {"cpu", "cuda"};
  /** The model field: a choice of the installed models and the current bundle (macro key model). */
  static final String MODEL_LABEL = "Model (installed, or the current bundle)";
  /** Another bundle by its path, instead of the choice (macro key path). */
  static final String PATH_LABEL = "Path to another bundle (instead)";
  /** The model choice's item for no model (the last item). */
  static final String NONE = "(none)";

  @Override
  public void run(String arg) {
    Commands.run(this::prepare);
  }

  private Optional<Commands.Work> prepare() {
    Settings saved = Settings.load();
    String[] models = modelChoices(InstalledModels.here().names(), saved.model());
    Optional<Form.Answers> answers = new Form(COMMAND)
        .listed(MODEL_LABEL, models, saved.model().isEmpty() ? NONE : saved.model())
        .file(PATH_LABEL, "")
        .number("Threads (0 = automatic)", saved.threads(), 0)
        .number("Batch size (views per run)", saved.batchSize(), 0)
        .choice("Device", DEVICES, saved.device().name().toLowerCase(Locale.ROOT))
        .number(Settings.MAX_PIXELS_LABEL, saved.maxPixels(), 0)
        .note("Models: those installed with Install Model..., or a bundle from 'maclip-pytorch"
            + " export'\n(a folder: choose its maclip.json; or a .zip). The batch size bounds"
            + " memory;\ncuda needs the GPU build of ONNX Runtime.")
        .ask();
    if (answers.isEmpty()) {
      return Optional.empty();
    }
    Form.Answers a = answers.get();
    String model = a.text("path").isEmpty() ? a.text("model") : a.text("path");
    Settings changed = new Settings(model.equals(NONE) ? "" : model, a.integer("threads"),
        a.integer("batch"), Device.parse(a.text("device")), (long) a.number("max"));
    return Optional.of(() -> apply(saved, changed));
  }

  /**
   * The model field's items: the installed models' names, the current model if it is not one of
   * them (a path), and {@link #NONE}.
   */
  static String[] modelChoices(List<String> installed, String current) {
    List<String> items = new ArrayList<>(installed);
    if (!current.isEmpty() && !items.contains(current)) {
      items.add(current);
    }
    items.add(NONE);
    return items.toArray(String[]::new);
  }

  private static void apply(Settings saved, Settings changed) throws UserError {
    if (!changed.model().isEmpty()) {
      changed.bundle(); // says now if the path does not exist
    }
    changed.save();
    if (!changed.equals(saved)) {
      KeptModel.release();
    }
    IJ.showStatus("MA-CLIP: settings saved");
  }
}
