package org.maclip.imagej;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;
import ij.plugin.PlugIn;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.maclip.scoring.ScoreResult;

/**
 * Plugins › MA-CLIP › MA-CLIP Score: the active image's current plane, or every slice and
 * frame, into the "MA-CLIP" table, with a plot of Q for stacks.
 *
 * <p>Macro: {@code run("MA-CLIP Score", "model=[/path/to/bundle] stack dimension=all plot");}
 */
public final class ScoreImageCommand implements PlugIn {
  static final String COMMAND = "MA-CLIP Score";

  @Override
  public void run(String arg) {
    Commands.run(this::prepare);
  }

  private Optional<Commands.Work> prepare() throws UserError {
    ImagePlus imp = Commands.currentImage("score");
    Settings saved = Settings.load();
    Optional<Form.Answers> answers = new Form(COMMAND)
        .file(Commands.MODEL_LABEL, saved.model())
        .flag(Commands.RAW_LABEL, false)
        .flag("Stack: score every slice and frame", imp.getStackSize() > 1)
        .choice("Dimension", Planes.Scope.stackChoices(), Planes.Scope.ALL.id())
        .flag("Plot Q against slice (stacks)", true)
        .flag("Append to the table", false)
        .note("Model bundle: an installed model's name (Install Model...), a bundle folder"
            + " or a .zip from 'maclip-pytorch export'.")
        .ask();
    if (answers.isEmpty()) {
      return Optional.empty();
    }
    Form.Answers a = answers.get();
    Settings settings = saved.remember(a.text("model"));
    ImageConversion.Rule rule = ImageConversion.Rule.of(a.flag("raw"));
    Planes.Scope scope = a.flag("stack") ? Planes.Scope.parse(a.text("dimension"))
        : Planes.Scope.CURRENT;
    boolean plot = a.flag("plot");
    boolean append = a.flag("append");
    return Optional.of(() -> score(imp, settings, rule, scope, plot, append));
  }

  private static void score(
      ImagePlus imp, Settings settings, ImageConversion.Rule rule, Planes.Scope scope,
      boolean plot, boolean append) throws UserError {
    List<Plane> planes = Planes.select(imp.getNChannels(), imp.getNSlices(), imp.getNFrames(),
        PlaneInput.current(imp), scope);
    List<PlaneInput> inputs = planes.stream().map(p -> new PlaneInput(imp, p, rule)).toList();
    ScoreResult[] results = new ScoreResult[inputs.size()];
    Batches.Run run = Batches.scoreWithModel(settings, inputs, model -> (i, r) -> results[i] = r);
    show(imp, planes, scope, results, run, plot, append);
  }

  /**
   * Shows what a run scored: the table, a log line per failed plane and for a cancelled run, the
   * plot.
   *
   * @param results by plane; the first {@code run.done()} are set (Esc can end the run early,
   *     even before the first plane)
   */
  static void show(
      ImagePlus imp, List<Plane> planes, Planes.Scope scope, ScoreResult[] results,
      Batches.Run run, boolean plot, boolean append) throws UserError {
    String model = run.model();
    int done = run.done();
    if (done == 0) { // Esc before the first batch: nothing to show, the last table stays
      IJ.log("MA-CLIP: cancelled before any plane was scored (0 of " + planes.size() + ")");
      return;
    }
    List<ScoreResult> scored = Arrays.asList(results).subList(0, done); // the rest: cancelled
    if (scored.stream().noneMatch(ScoreResult::ok)) {
      ScoreResult first = scored.get(0);
      throw new UserError(first.name() + ": " + first.error());
    }
    ResultsTable rt = append ? ScoreTable.existingOrNew() : ScoreTable.create();
    for (int i = 0; i < done; i++) {
      ScoreTable.addRow(rt, imp.getTitle(), planes.get(i).index(), results[i], model, false);
      if (!results[i].ok()) {
        IJ.log("MA-CLIP: " + results[i].name() + ": " + results[i].error());
      }
    }
    ScoreTable.show(rt);
    if (done < planes.size()) {
      IJ.log("MA-CLIP: cancelled after " + done + " of " + planes.size() + " planes");
    }
    if (plot && done > 1) {
      Display.show(plotOf(imp, planes.subList(0, done), scored, scope).getImagePlus(), imp);
    }
  }

  private static ij.gui.Plot plotOf(
      ImagePlus imp, List<Plane> planes, List<ScoreResult> results, Planes.Scope scope) {
    boolean frames = scope == Planes.Scope.FRAMES
        || (scope == Planes.Scope.ALL && imp.getNSlices() == 1);
    boolean mixed = scope == Planes.Scope.ALL && imp.getNSlices() > 1 && imp.getNFrames() > 1;
    double[] x = new double[planes.size()];
    double[] q = new double[planes.size()];
    for (int i = 0; i < x.length; i++) {
      Plane p = planes.get(i);
      x[i] = mixed ? i + 1 : frames ? p.frame() : p.slice();
      q[i] = results.get(i).q();
    }
    return QualityPlot.create(imp.getTitle(), mixed ? "Plane" : frames ? "Frame" : "Slice", x, q);
  }
}
