package org.maclip.imagej;

import ij.IJ;
import ij.measure.ResultsTable;
import ij.plugin.PlugIn;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.maclip.scoring.ImageInput;

/**
 * Plugins › MA-CLIP › MA-CLIP Score Folder...: every image file of a folder, read as {@link
 * FileRoute} decides (a photograph's file as the command line reads it, deeper data as ImageJ
 * opens it), into the "MA-CLIP" table and a CSV file. Files and folder entries that cannot be read
 * get a row with their reason in the Error column (and a line in the log) while the rest are
 * scored. The table file is checked before the first image. Esc stops.
 *
 * <p>Macro: {@code run("MA-CLIP Score Folder...",
 *     "folder=[/data/run1] include save=[/data/q.csv]");}
 */
public final class ScoreFolderCommand implements PlugIn {
  static final String COMMAND = "MA-CLIP Score Folder...";
  static final String CSV_NAME = "MA-CLIP.csv";

  @Override
  public void run(String arg) {
    Commands.run(this::prepare);
  }

  private Optional<Commands.Work> prepare() throws UserError {
    Settings saved = Settings.load();
    Optional<Form.Answers> answers = new Form(COMMAND)
        .file(Commands.MODEL_LABEL, saved.model())
        .folder("Folder", "")
        .flag("Include subfolders", false)
        .text("Extensions", FolderScan.DEFAULT_EXTENSIONS)
        .flag(Commands.RAW_LABEL, false)
        .file("Save table as", "")
        .note("Empty 'Save table as': " + CSV_NAME + " in the folder.")
        .ask();
    if (answers.isEmpty()) {
      return Optional.empty();
    }
    Form.Answers a = answers.get();
    Settings settings = saved.remember(a.text("model"));
    if (a.text("folder").isEmpty()) {
      throw new UserError("no folder given: choose the folder of images to score");
    }
    Path folder = Paths.get(a.text("folder")).toAbsolutePath().normalize();
    Path csv = a.text("save").isEmpty() ? folder.resolve(CSV_NAME)
        : Paths.get(a.text("save")).toAbsolutePath().normalize();
    FolderScan.requireFolder(folder);
    checkWritable(csv);
    ImageConversion.Rule rule = ImageConversion.Rule.of(a.flag("raw"));
    boolean subfolders = a.flag("include");
    String extensions = a.text("extensions");
    return Optional.of(() -> score(settings, folder, subfolders, extensions, rule, csv));
  }

  /**
   * Refuses a table file that cannot be written, before the first image is scored: a folder that
   * is missing or not writable, a folder of that name, a file that is read-only. The check opens
   * the file for appending, which changes nothing in it, and removes a file it made.
   */
  static void checkWritable(Path csv) throws UserError {
    boolean existed = Files.exists(csv);
    try (var out = Files.newOutputStream(
        csv, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      // opened: writable
    } catch (IOException e) {
      throw new UserError("cannot save the table to " + csv + " (Save table as): "
          + (e instanceof AccessDeniedException ? "permission denied"
              : e instanceof NoSuchFileException ? "its folder does not exist"
              : Files.isDirectory(csv) ? "it is a folder" : Reasons.plain(e)));
    }
    if (!existed) {
      try {
        Files.deleteIfExists(csv);
      } catch (IOException e) {
        // an empty file stays until the table is saved over it
      }
    }
  }

  private static void score(
      Settings settings, Path folder, boolean subfolders, String extensions,
      ImageConversion.Rule rule, Path csv) throws UserError {
    List<FolderScan.Entry> files = FolderScan.list(folder, subfolders, extensions);
    if (files.isEmpty()) {
      throw new UserError("no files ending in " + extensions + " in " + folder);
    }
    List<ImageInput> inputs = files.stream().map(e -> e.input(folder, rule)).toList();
    ResultsTable rt = ScoreTable.create();
    int[] failed = {0};
    int done = Batches.scoreWithModel(settings, inputs, model -> (i, r) -> {
      ScoreTable.addRow(rt, inputs.get(i).name(), 1, r, model, true);
      if (!r.ok()) {
        failed[0]++;
        IJ.log("MA-CLIP: cannot score " + r.name() + ": " + r.error());
      }
    }).done();
    ScoreTable.show(rt);
    if (done == 0) { // cancelled (Esc) before the first image: an existing table stays as it was
      IJ.log("MA-CLIP: cancelled before the first image of " + folder + "; nothing saved to "
          + csv);
      return;
    }
    try {
      rt.saveAs(csv.toString());
    } catch (IOException e) {
      throw new UserError("cannot save the table to " + csv + ": " + e.getMessage());
    }
    IJ.log("MA-CLIP: scored " + (done - failed[0]) + " of " + files.size() + " images in "
        + folder + (failed[0] > 0 ? "; " + failed[0] + " could not be read (see Error)" : "")
        + (done < files.size() ? "; cancelled after " + done : "") + "; table saved to " + csv);
  }
}
