package org.maclip.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.maclip.cli.report.ReportException;
import org.maclip.cli.report.ResultsReader;
import org.maclip.cli.report.Run;
import org.maclip.scoring.Bundle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code maclip report}: one self-contained HTML page of what a scoring run wrote. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    sortOptions = false,
    description = {
      "Write one HTML page of a scoring run, to open offline in any browser: the summary,"
          + " histograms, and every image (thumbnail, scores, prompt-pair probabilities, error),"
          + " sortable and filterable, worst first, with quality maps for runs with --views.",
      "RESULTS is what maclip score wrote (JSON Lines, JSON or CSV) or a folder of the"
          + " function's result JSON files (synced from S3 with your own tools)."
    })
final class ReportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "RESULTS", description = "a results file or a folder of result files")
  Path results;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE",
      description = "the page to write (default: RESULTS with .html)")
  Path output;

  @Option(names = "--images", paramLabel = "DIR",
      description = "where the images are: relative paths of CLI results and the function's"
          + " object keys are read under it (default: CLI paths as written; function results"
          + " get no thumbnails)")
  Path images;

  @Option(names = {"-m", "--model"}, paramLabel = "BUNDLE",
      description = "the bundle that scored the run, for the summary (CLI results do not"
          + " record it)")
  Path model;

  @Option(names = {"-q", "--quiet"}, description = "no progress or summary line")
  boolean quiet;

  @Override
  public Integer call() {
    Run run;
    try {
      run = new ResultsReader(images).read(results);
    } catch (ReportException e) {
      throw new CliException(e.getMessage(), e);
    }
    PrintWriter err = spec.commandLine().getErr();
    ReportFile.write(withModel(run), output != null ? output : defaultOutput(results), "-o", err,
        quiet);
    return Exit.OK;
  }

  /** {@code run} with the model named by --model, or a line saying it is not recorded. */
  private Run withModel(Run run) {
    boolean recorded = run.facts().stream().anyMatch(f -> f.label().equals("model"));
    List<Run.Fact> facts = new ArrayList<>();
    if (model != null) {
      facts.addAll(ReportFile.modelFacts(Bundle.load(model)));
    } else if (!recorded) {
      facts.add(new Run.Fact("model", "not recorded in these results (name it with --model)"));
    }
    facts.addAll(run.facts());
    return new Run(facts, run.pairs(), run.rows());
  }

  /**
   * {@code run.jsonl} → {@code run.html} beside it; a folder {@code results} → {@code
   * results.html}.
   */
  static Path defaultOutput(Path results) {
    Path absolute = results.toAbsolutePath().normalize();
    String name = absolute.getFileName() == null ? "report" : absolute.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 && !absolute.toFile().isDirectory() ? name.substring(0, dot) : name;
    return absolute.resolveSibling(stem + ".html");
  }
}
