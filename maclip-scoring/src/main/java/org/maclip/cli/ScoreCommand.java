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
import org.maclip.scoring.Device;
import org.maclip.scoring.Method;
import org.maclip.scoring.Scorer;
import org.maclip.scoring.ScorerOptions;
import picocli.CommandLine.Command;
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

  @Option(names = {"-m", "--model"}, required = true, paramLabel = "BUNDLE",
      description = "model bundle: a folder or .zip written by maclip-pytorch export")
  Path model;

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

  @Option(names = "--batch-size", paramLabel = "N", converter = Converters.Positive.class,
      description = "views per encoder run, the memory bound (default: 32)")
  Integer batchSize;

  @Option(names = "--threads", paramLabel = "N", converter = Converters.NonNegative.class,
      description = "ONNX Runtime threads; 0 lets it choose (default: 0)")
  Integer threads;

  @Option(names = "--device", paramLabel = "DEVICE", converter = Converters.DeviceName.class,
      description = "cpu or cuda (default: cpu)")
  Device device;

  @Option(names = "--method", paramLabel = "METHOD", converter = Converters.MethodName.class,
      description = "maclip, clipiqa or magnitude (default: maclip)")
  Method method;

  @Option(names = "--lam", paramLabel = "X", converter = Converters.Finite.class,
      description = "Box-Cox λ (default: the bundle's, 0.5)")
  Double lam;

  @Option(names = "--alpha", paramLabel = "X", converter = Converters.Finite.class,
      description = "fusion α (default: the bundle's, 1.0)")
  Double alpha;

  @Option(names = "--b-sim", paramLabel = "X", converter = Converters.Finite.class,
      description = "base logit of Q_sim (default: the bundle's, 1.0)")
  Double bSim;

  @Option(names = "--b-mag", paramLabel = "X", converter = Converters.Finite.class,
      description = "base logit of Q_mag (default: the bundle's, 0.6)")
  Double bMag;

  @Option(names = "--max-pixels", paramLabel = "N", converter = Converters.PixelCount.class,
      description = "refuse images with more pixels, decoded or prepared (default: 89478485)")
  Long maxPixels;

  @Option(names = "--max-side", paramLabel = "N", converter = Converters.NonNegative.class,
      description = "cap the longer side before cutting views; 0: none (default: 0)")
  Integer maxSide;

  @Option(names = "--pre-resize", paramLabel = "WxH", converter = Converters.Size.class,
      description = "resize every image first, e.g. 448x448 (SPAQ in the paper)")
  ScorerOptions.Size preResize;

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
    try (Scorer scorer = ScorerFactory.open(model, options(), params())) {
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

  /** The scorer options the command line gives, the library's defaults elsewhere. */
  ScorerOptions options() {
    ScorerOptions o = ScorerOptions.defaults();
    if (batchSize != null) {
      o = o.withBatchSize(batchSize);
    }
    if (threads != null) {
      o = o.withThreads(threads);
    }
    if (device != null) {
      o = o.withDevice(device);
    }
    if (method != null) {
      o = o.withMethod(method);
    }
    if (maxPixels != null) {
      o = o.withMaxPixels(maxPixels);
    }
    if (maxSide != null) {
      o = o.withMaxSide(maxSide);
    }
    if (preResize != null) {
      o = o.withPreResize(preResize);
    }
    return o;
  }

  /** The fusion parameters given on the command line; null where the bundle's default holds. */
  ScorerFactory.Overrides params() {
    return new ScorerFactory.Overrides(lam, alpha, bSim, bMag);
  }
}
