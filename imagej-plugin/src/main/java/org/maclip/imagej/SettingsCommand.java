package org.maclip.imagej;

import ij.IJ;
import ij.plugin.PlugIn;
import java.util.Locale;
import java.util.Optional;
import org.maclip.scoring.Device;

/**
 * Plugins › MA-CLIP › MA-CLIP Settings...: the model bundle, threads, batch size, device and
 * pixel limit, remembered in ImageJ's preferences. Changing them unloads the kept model.
 *
 * <p>Macro: {@code run("MA-CLIP Settings...",
 *     "model=[/path/to/bundle] threads=0 batch=32 device=cpu max=89478485");}
 */
public final class SettingsCommand implements PlugIn {
  static final String COMMAND = "MA-CLIP Settings...";
  private static final String[] DEVICES = {"cpu", "cuda"};

  @Override
  public void run(String arg) {
    Commands.run(this::prepare);
  }

  private Optional<Commands.Work> prepare() {
    Settings saved = Settings.load();
    Optional<Form.Answers> answers = new Form(COMMAND)
        .file(Commands.MODEL_LABEL, saved.model())
        .number("Threads (0 = automatic)", saved.threads(), 0)
        .number("Batch size (views per run)", saved.batchSize(), 0)
        .choice("Device", DEVICES, saved.device().name().toLowerCase(Locale.ROOT))
        .number(Settings.MAX_PIXELS_LABEL, saved.maxPixels(), 0)
        .note("A bundle is a folder (choose its maclip.json) or a .zip from "
            + "'maclip-pytorch export'.\nThe batch size bounds memory; cuda needs the GPU build "
            + "of ONNX Runtime.")
        .ask();
    if (answers.isEmpty()) {
      return Optional.empty();
    }
    Form.Answers a = answers.get();
    Settings changed = new Settings(a.text("model"), a.integer("threads"), a.integer("batch"),
        Device.parse(a.text("device")), (long) a.number("max"));
    return Optional.of(() -> apply(saved, changed));
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
