package org.maclip.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.maclip.cli.report.ImageRow;
import org.maclip.cli.report.ReportException;
import org.maclip.cli.report.ResultsReader;
import org.maclip.cli.report.Run;
import org.maclip.scoring.FusionParams;
import org.maclip.scoring.PromptPair;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.Scorer;
import org.maclip.scoring.ScorerOptions;
import org.maclip.scoring.Views;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code maclip score}: scores images and writes one result per image. */
@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    sortOptions = false,
    description = {
      "Score image files, folders (-r to descend), glob patterns (quote them; ** crosses folders)"
          + " and lists of paths (.txt, .lst, .list).",
      "Exit codes: 0 all scored, 1 some images failed, 2 usage or model error, 130 interrupted."
    })
final class ScoreCommand implements Callable<Integer> {
  /** Without a terminal, a progress line every this many images. */
  static final int PROGRESS_EVERY = 100;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "PATH", arity = "1..*", description = "images, folders, patterns, lists")
  List<String> paths;

  @Mixin ScoringOptions scoring;

  @Option(names = {"-r", "--recursive"}, description = "descend into sub-folders")
  boolean recursive;

  @Option(names = "--format", paramLabel = "FORMAT", converter = Converters.FormatName.class,
      description = "table, csv, jsonl or json (default: from -o's suffix, else table)")
  OutputFormat format;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE",
      description = "write results here (default: standard output)")
  Path output;

  @Option(names = "--resume",
      description = "continue an interrupted run: skip the images a JSON Lines -o file holds")
  boolean resume;

  @Option(names = "--views",
      description = "add per-view scores and boxes (json, jsonl); quality maps in --report")
  boolean views;

  @Option(names = "--pairs",
      description = "add a column per prompt pair to table and csv, p(<positive prompt>): the"
          + " probability CLIP gives it against its negative (json and jsonl always have"
          + " pair_probs)")
  boolean pairs;

  @Option(names = "--report", paramLabel = "FILE",
      description = "also write one HTML page of the run (as maclip report does)")
  Path report;

  @Option(names = {"-q", "--quiet"}, description = "no progress or summary (errors still shown)")
  boolean quiet;

  private final boolean terminal;
  private final Lister lister;

  ScoreCommand(boolean terminal, Lister lister) {
    this.terminal = terminal;
    this.lister = lister;
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    OutputTarget target = new OutputTarget(output);
    OutputFormat chosen = target.format(format);
    target.check(chosen, resume);
    InputGatherer.Gathered gathered =
        new InputGatherer(recursive, lister, note -> err.println("note: " + note)).gather(paths);
    List<FileItem> items = gathered.items();
    if (resume) {
      items = skipDone(items, target.file(), err);
      if (items.isEmpty()) {
        err.println("nothing left to score: every image is in " + target);
        err.flush();
        return Exit.OK;
      }
    }
    if (items.isEmpty()) {
      throw new CliException(noImages(gathered.skippedFolders()));
    }
    if (report != null && Files.isDirectory(report)) {
      throw new CliException("--report " + report + " is a folder: name a file, e.g. --report "
          + report.resolve("report.html"));
    }
    try (Scorer scorer = scoring.open()) {
      List<String> pairNames = pairNames(scorer);
      List<ImageRow> rows = new ArrayList<>();
      String started = now();
      int code = run(scorer, items, target, chosen, new Columns(pairs ? pairNames : List.of()),
          r -> {
            if (report != null) {
              rows.add(ImageRow.of(r, ImageRow.fileOf(r.name()), pairNames, views));
            }
          }, err);
      if (report != null) {
        writeReport(scorer, started, rows, target, err);
      }
      return code;
    }
  }

  /**
   * The report of this run; after {@code --resume}, of everything the -o file holds (the earlier
   * runs' images included).
   */
  private void writeReport(Scorer scorer, String started, List<ImageRow> rows, OutputTarget target,
      PrintWriter err) {
    List<Run.Fact> facts = new ArrayList<>(ReportFile.modelFacts(scorer.bundle()));
    facts.add(new Run.Fact("method", scorer.options().method().id()));
    FusionParams p = scorer.params();
    facts.add(new Run.Fact("parameters",
        Run.parameters(p.lam(), p.alpha(), p.bSim(), p.bMag())));
    facts.add(new Run.Fact("settings", settings(scorer)));
    facts.add(new Run.Fact("inputs", String.join(" ", paths) + (recursive ? " (-r)" : "")));
    facts.add(new Run.Fact("scored", started + " to " + now()));
    Run run;
    if (resume) {
      Run all;
      try {
        all = new ResultsReader(null).read(target.file());
      } catch (ReportException e) {
        throw new CliException(e.getMessage(), e);
      }
      facts.add(new Run.Fact("resumed", "the page shows every image in " + target.file()));
      run = new Run(facts, all.pairs(), all.rows());
    } else {
      run = new Run(facts, pairNames(scorer), rows);
    }
    ReportFile.write(run, report, "--report", err, quiet);
  }

  /** The positive prompts of the bundle's pairs: the names of the pair columns. */
  private static List<String> pairNames(Scorer scorer) {
    return scorer.bundle().prompts().stream().map(PromptPair::positive).toList();
  }

  private static String settings(Scorer scorer) {
    ScorerOptions o = scorer.options();
    Views.Config v = scorer.views();
    return v.patchSize() + "-pixel patches every " + v.stride() + " pixels"
        + (v.includeGlobal() ? " and the whole image" : "")
        + ", max side " + (o.maxSide() == 0 ? "none" : o.maxSide())
        + ", pre-resize " + o.preResize().map(s -> s.width() + "x" + s.height()).orElse("none")
        + ", max pixels " + o.maxPixels();
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /**
   * Scores {@code items} one after another, writing each result as it finishes and handing it to
   * {@code also}.
   */
  private int run(Scorer scorer, List<FileItem> items, OutputTarget target, OutputFormat chosen,
      Columns columns, Consumer<ScoreResult> also, PrintWriter err) {
    Writer out = target.open(spec.commandLine().getOut(), resume);
    Progress progress = null;
    try {
      ResultWriter writer = ResultWriter.create(chosen, out, views, columns).also(also);
      progress = new Progress(writer, err, quiet, terminal, PROGRESS_EVERY, target::closed);
      scorer.scoreEach(items, progress);
      writer.close();
      target.finish(out);
      progress.summary(items.size());
      return Exit.ofRun(progress.failed());
    } catch (Progress.OutputClosed e) {
      return Exit.ofRun(progress.failed());
    } catch (IOException e) {
      throw cannotWrite(target, e);
    } catch (UncheckedIOException e) {
      throw cannotWrite(target, e.getCause());
    } finally {
      target.finishQuietly(out);
    }
  }

  private static CliException cannotWrite(OutputTarget target, IOException e) {
    return new CliException("cannot write " + target + ": " + Exit.reason(e), e);
  }

  private List<FileItem> skipDone(List<FileItem> items, Path file, PrintWriter err) {
    ResumeLog.State state;
    try {
      state = ResumeLog.read(file);
    } catch (IOException e) {
      throw new CliException("cannot resume from " + file + ": " + Exit.reason(e), e);
    }
    List<FileItem> left = items.stream().filter(i -> !state.done().contains(i.key())).toList();
    if (!quiet) {
      int skipped = items.size() - left.size();
      err.println("resuming: " + skipped + " of " + items.size() + " images already scored in "
          + file + (state.dropped() > 0
              ? " (" + state.dropped() + " unfinished or failed lines removed)" : ""));
    }
    return left;
  }

  private String noImages(int skippedFolders) {
    String message = "no images found in " + String.join(" ", paths);
    return skippedFolders > 0
        ? message + " (" + skippedFolders + " sub-folder(s) not searched: use -r to descend)"
        : message;
  }
}
