package org.maclip.imagej;

import ij.IJ;
import ij.plugin.PlugIn;
import java.util.Optional;

/**
 * Plugins › MA-CLIP › MA-CLIP Install Model...: a model bundle (a .zip, a folder, or the http(s)
 * address of a .zip) checked and copied into ImageJ's {@code models/maclip/<name>/}, so that
 * every command takes it by name ({@code model=[name]}). Downloads show their progress; Esc
 * cancels. An expected sha256 pins the model; an http:// address needs one.
 *
 * <p>Macro: {@code run("MA-CLIP Install Model...",
 *     "source=[https://example.org/maclip-rn50.zip] name=[rn50] sha256=[...] replace default");}
 */
public final class InstallModelCommand implements PlugIn {
  static final String COMMAND = "MA-CLIP Install Model...";

  @Override
  public void run(String arg) {
    Commands.run(this::prepare);
  }

  private Optional<Commands.Work> prepare() {
    InstalledModels models = InstalledModels.here();
    Optional<Form.Answers> answers = new Form(COMMAND)
        .file("Source (bundle .zip, folder, or http(s) address of a .zip)", "")
        .text("Name (empty: the bundle's own)", "")
        .text("SHA256 of visual.onnx or of the .zip (needed for http://)", "")
        .flag("Replace an installed model of that name", false)
        .flag("Default model from now on (Settings)", true)
        .note("For a folder, choose its maclip.json. Models go to " + models.root() + ";\n"
            + "commands then take them by name. Esc cancels a download.")
        .ask();
    if (answers.isEmpty()) {
      return Optional.empty();
    }
    Form.Answers a = answers.get();
    String source = a.text("source");
    String name = a.text("name");
    String sha256 = a.text("sha256");
    boolean replace = a.flag("replace");
    boolean makeDefault = a.flag("default");
    return Optional.of(() -> install(models, source, name, sha256, replace, makeDefault));
  }

  private static void install(InstalledModels models, String source, String name, String sha256,
      boolean replace, boolean makeDefault) throws UserError {
    IJ.resetEscape();
    ModelInstaller.Installed done;
    try {
      done = new ModelInstaller(models, new StatusBar()).install(source, name, replace, sha256);
    } finally {
      IJ.showProgress(1.0);
      IJ.showStatus("");
    }
    boolean unload = done.replaced();
    if (makeDefault) {
      Settings saved = Settings.load();
      Settings changed = saved.withModel(done.name());
      changed.save();
      unload |= !changed.equals(saved);
    }
    if (unload) {
      KeptModel.release();
    }
    IJ.log("MA-CLIP: installed model '" + done.name() + "' (" + done.bundle().backbone() + "/"
        + done.bundle().pretrained() + ", sha256 " + done.sha256() + " verified) in "
        + done.folder()
        + (done.replaced() ? ", replacing the earlier one" : "")
        + (makeDefault ? "; it is the default model now" : "")
        + "; macros take it as model=[" + done.name() + "]");
    IJ.showStatus("MA-CLIP: installed " + done.name());
  }

  /** ImageJ's progress bar and status line: megabytes done of the total; Esc cancels. */
  private static final class StatusBar implements Download.Progress {
    private long shown;

    @Override
    public void update(long done, long total) {
      long now = System.nanoTime();
      if (now - shown < 100_000_000L && done != total) {
        return;
      }
      shown = now;
      if (total > 0) {
        IJ.showProgress((double) done / total);
      }
      IJ.showStatus("MA-CLIP: downloading " + Download.size(done, total) + " (Esc cancels)");
    }

    @Override
    public boolean cancelled() {
      return IJ.escapePressed();
    }
  }
}
