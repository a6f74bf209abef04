package org.maclip.cli;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    OutputFormat chosen = OutputFormat.choose(format, isStdout() ? null : output);
    checkOutput(chosen);
    InputGatherer.Gathered gathered =
        new InputGatherer(recursive, lister, note -> err.println("note: " + note)).gather(paths);
    List<FileItem> items = gathered.items();
    if (resume) {
      items = skipDone(items, err);
      if (items.isEmpty()) {
        err.println("nothing left to score: every image is in " + output);
        err.flush();
        return Exit.OK;
      }
    }
    if (items.isEmpty()) {
      throw new CliException(noImages(gathered.skippedFolders()));
    }
    try (Scorer scorer = scoring.open()) {
      return run(scorer, items, chosen, err);
    }
  }

  private int run(Scorer scorer, List<FileItem> items, OutputFormat chosen, PrintWriter err)
      throws IOException {
    Writer out = openOutput();
    try {
      ResultWriter writer = ResultWriter.create(chosen, out, views);
      Progress progress = new Progress(writer, err, quiet, terminal, PROGRESS_EVERY);
      scorer.scoreEach(items, progress);
      writer.close();
      progress.summary(items.size());
      return Exit.ofRun(progress.failed());
    } finally {
      if (isStdout()) {
        out.flush();
      } else {
        out.close();
      }
    }
  }

  private boolean isStdout() {
    return output == null || output.toString().equals("-");
  }

  /** Refuses -o naming a folder and --resume without a JSON Lines file; makes -o's folder. */
  private void checkOutput(OutputFormat chosen) {
    if (resume && (isStdout() || chosen != OutputFormat.JSONL)) {
      throw new CliException("--resume needs a JSON Lines output file: -o results.jsonl");
    }
    if (isStdout()) {
      return;
    }
    if (Files.isDirectory(output)) {
      throw new CliException("-o " + output + " is a folder: name a file, e.g. -o "
          + output.resolve("results." + (chosen == OutputFormat.TABLE ? "txt" : chosen.id())));
    }
    Path parent = output.toAbsolutePath().getParent();
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new CliException("cannot create the folder of -o " + output + ": "
          + Exit.reason(e), e);
    }
  }

  private List<FileItem> skipDone(List<FileItem> items, PrintWriter err) throws IOException {
    ResumeLog.State state;
    try {
      state = ResumeLog.read(output);
    } catch (IOException e) {
      throw new CliException("cannot resume from " + output + ": " + Exit.reason(e), e);
    }
    List<FileItem> left = items.stream().filter(i -> !state.done().contains(i.key())).toList();
    if (!quiet) {
      int skipped = items.size() - left.size();
      err.println("resuming: " + skipped + " of " + items.size() + " images already scored in "
          + output + (state.dropped() > 0
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

  private Writer openOutput() throws IOException {
    if (isStdout()) {
      return spec.commandLine().getOut();
    }
    StandardOpenOption mode = resume ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
    try {
      return new OutputStreamWriter(
          Files.newOutputStream(output, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode),
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CliException("cannot write " + output + ": " + Exit.reason(e), e);
    }
  }
}
