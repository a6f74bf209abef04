package org.maclip.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.maclip.scoring.Scorer;
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

  @Option(names = "--views", description = "add per-view scores and boxes (json, jsonl)")
  boolean views;

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
    try (Scorer scorer = scoring.open()) {
      return run(scorer, items, target, chosen, err);
    }
  }

  /** Scores {@code items} one after another, writing each result as it finishes. */
  private int run(Scorer scorer, List<FileItem> items, OutputTarget target, OutputFormat chosen,
      PrintWriter err) {
    Writer out = target.open(spec.commandLine().getOut(), resume);
    Progress progress = null;
    try {
      ResultWriter writer = ResultWriter.create(chosen, out, views);
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
