package org.maclip.imagej;

import ij.ImagePlus;
import ij.gui.Overlay;
import ij.plugin.PlugIn;
import java.util.Optional;
import org.maclip.scoring.ScoreResult;

/**
 * Plugins › MA-CLIP › MA-CLIP Quality Map: the per-view scores of the current plane as a heat
 * map over the image (overlay with opacity and calibration bar) or as a new 32-bit image.
 *
 * <p>Macro: {@code run("MA-CLIP Quality Map", "map=Q output=overlay opacity=50 calibration");}
 */
public final class QualityMapCommand implements PlugIn {
  static final String COMMAND = "MA-CLIP Quality Map";
  static final String[] OUTPUTS = {"overlay", "image"};

  @Override
  public void run(String arg) {
    Commands.run(this::prepare);
  }

  private Optional<Commands.Work> prepare() throws UserError {
    ImagePlus imp = Commands.currentImage("map");
    Settings saved = Settings.load();
    Optional<Form.Answers> answers = new Form(COMMAND)
        .file(Commands.MODEL_LABEL, saved.model())
        .flag(Commands.RAW_LABEL, false)
        .choice("Map", QualityMap.Field.labels(), QualityMap.Field.Q.label())
        .choice("Output", OUTPUTS, OUTPUTS[0])
        .number("Opacity (%)", 50, 0)
        .flag("Calibration bar", true)
        .flag("View boxes", false)
        .ask();
    if (answers.isEmpty()) {
      return Optional.empty();
    }
    Form.Answers a = answers.get();
    Settings settings = saved.remember(a.text("model"));
    ImageConversion.Rule rule = ImageConversion.Rule.of(a.flag("raw"));
    QualityMap.Field field = QualityMap.Field.parse(a.text("map"));
    boolean overlay = a.text("output").equals(OUTPUTS[0]);
    double opacity = a.number("opacity");
    if (!(opacity >= 0 && opacity <= 100)) {
      throw new UserError("opacity must be between 0 and 100 %, not " + opacity);
    }
    Look look = new Look(opacity / 100, a.flag("calibration"), a.flag("view"));
    return Optional.of(() -> map(imp, settings, rule, field, overlay, look));
  }

  /** How the map is drawn. */
  record Look(double opacity, boolean bar, boolean boxes) {}

  private static void map(
      ImagePlus imp, Settings settings, ImageConversion.Rule rule, QualityMap.Field field,
      boolean asOverlay, Look look) throws UserError {
    Plane plane = PlaneInput.current(imp);
    ScoreResult result;
    try (var lease = KeptModel.acquire(settings)) {
      result = lease.model().score(new PlaneInput(imp, plane, rule));
    }
    if (!result.ok()) {
      throw new UserError(result.name() + ": " + result.error());
    }
    QualityMap map = QualityMap.of(result, field);
    if (asOverlay) {
      Overlay overlay = imp.getOverlay() != null ? imp.getOverlay() : new Overlay();
      MapDrawing.removeOld(overlay);
      MapDrawing.Placement where = MapDrawing.Placement.of(imp, plane);
      MapDrawing.heat(overlay, map, look.opacity(), where);
      decorate(overlay, map, result, look, where, imp.getWidth(), imp.getHeight());
      imp.setOverlay(overlay);
    } else {
      ImagePlus image = MapDrawing.image(map, "MA-CLIP " + field.label() + " map of "
          + imp.getTitle());
      image.setCalibration(imp.getCalibration());
      Overlay overlay = new Overlay();
      MapDrawing.Placement where = MapDrawing.Placement.of(image, plane);
      decorate(overlay, map, result, look, where, imp.getWidth(), imp.getHeight());
      image.setOverlay(overlay.size() > 0 ? overlay : null);
      Display.show(image, null); // the map becomes the current image, as a new image does
    }
  }

  private static void decorate(
      Overlay overlay, QualityMap map, ScoreResult result, Look look, MapDrawing.Placement where,
      int width, int height) {
    if (look.boxes()) {
      MapDrawing.boxes(overlay, result, where);
    }
    if (look.bar()) {
      MapDrawing.calibrationBar(overlay, map, width, height, where);
    }
  }
}
