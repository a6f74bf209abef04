package org.maclip.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.maclip.cli.report.ReportPage;
import org.maclip.cli.report.Run;
import org.maclip.cli.report.Thumbnail;
import org.maclip.scoring.Bundle;

/**
 * Writes a report page to its file for {@code maclip report} and {@code maclip score --report}:
 * into a temporary file beside it, moved into place when complete, with a progress line every
 * {@link #PROGRESS_EVERY} images (thumbnails are the slow part) and one line naming the result.
 */
final class ReportFile {
  static final int PROGRESS_EVERY = 1000;

  private ReportFile() {}

  /**
   * Writes {@code run} to {@code html}.
   *
   * @param setting the flag that named the file, for errors ({@code -o}, {@code --report})
   */
  static void write(Run run, Path html, String setting, PrintWriter err, boolean quiet) {
    if (Files.isDirectory(html)) {
      throw new CliException(setting + " " + html + " is a folder: name a file, e.g. "
          + html.resolve("report.html"));
    }
    Path tmp = html.resolveSibling(html.getFileName() + ".tmp");
    int total = run.rows().size();
    int[] done = {0};
    try {
      Path folder = html.toAbsolutePath().getParent();
      Files.createDirectories(folder);
      try (Writer out = new BufferedWriter(new OutputStreamWriter(
          Files.newOutputStream(tmp), StandardCharsets.UTF_8), 1 << 16)) {
        new ReportPage(Thumbnail::of).write(run, out, () -> {
          if (++done[0] % PROGRESS_EVERY == 0 && done[0] < total && !quiet) {
            err.println("report: " + done[0] + " of " + total + " images");
            err.flush();
          }
        });
      }
      Files.move(tmp, html, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // the first failure is the one reported
      }
      throw new CliException("cannot write " + setting + " " + html + ": " + Exit.reason(e), e);
    }
    if (!quiet) {
      err.println("report: " + html + " (" + total + " images, " + megabytes(html) + ")");
      err.flush();
    }
  }

  private static String megabytes(Path file) {
    try {
      return String.format(Locale.ROOT, "%.1f MB", Files.size(file) / 1e6);
    } catch (IOException e) {
      return "size unknown";
    }
  }

  /** What a bundle says of the model, for the summary. */
  static List<Run.Fact> modelFacts(Bundle b) {
    List<Run.Fact> facts = new ArrayList<>();
    facts.add(new Run.Fact("model", b.backbone() + " " + b.pretrained() + ", " + b.precision()
        + (b.pretrained().equals("random") ? " (random weights: the scores mean nothing)" : "")
        + ", " + b.path()));
    facts.add(new Run.Fact("model sha256", b.sha256()));
    return facts;
  }
}
