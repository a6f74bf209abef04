package org.maclip.cli;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.Scorer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code maclip bench}: opens the scorer once, scores the inputs once to warm up, then times
 * {@code --rounds} runs of {@link Scorer#scoreAll} over the same inputs (decoding included).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    sortOptions = false,
    description = {
      "Time the scorer: one warm-up run over the inputs, then --rounds timed runs of the same"
          + " inputs (decode, views, encoder and scores); prints each round, the best rate and"
          + " each image's Q.",
      "Exit codes: 0 measured, 2 usage or model error, or an input that cannot be scored."
    })
final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "PATH", arity = "1..*", description = "images, folders, patterns, lists")
  List<String> paths;

  @Mixin ScoringOptions scoring;

  @Option(names = "--rounds", paramLabel = "N", converter = Converters.Positive.class,
      description = "timed rounds after the warm-up (default: 3)")
  int rounds = 3;

  @Option(names = "--json", description = "print the measurement as one JSON object")
  boolean json;

  @Option(names = "--paced",
      description = "for a driver interleaving other work: announce each step on standard error"
          + " (bench: ready / warm-up / round N, with seconds) and wait for a line on standard"
          + " input before the warm-up and before each round; waits are not timed")
  boolean paced;

  private final Lister lister;
  private final InputStream in;

  /**
   * @param lister how folders are listed
   * @param in where {@code --paced} reads its go-ahead lines
   */
  BenchCommand(Lister lister, InputStream in) {
    this.lister = lister;
    this.in = in;
  }

  @Override
  public Integer call() {
    double jvmSeconds = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
    List<FileItem> items = new InputGatherer(false, lister, note -> { }).gather(paths).items();
    if (items.isEmpty()) {
      throw new CliException("no images found in " + String.join(" ", paths));
    }
    Pacer pacer = paced ? Pacer.of(in, spec.commandLine().getErr()) : Pacer.NONE;
    long start = System.nanoTime();
    try (Scorer scorer = scoring.open()) {
      double loadSeconds = seconds(start);
      pacer.announce(format("ready %.3f s", loadSeconds));
      pacer.await();
      start = System.nanoTime();
      List<ScoreResult> results = checked(scorer.scoreAll(items));
      double warmUpSeconds = seconds(start);
      pacer.announce(format("warm-up %.3f s", warmUpSeconds));
      List<Double> times = new ArrayList<>(rounds);
      for (int round = 1; round <= rounds; round++) {
        pacer.await();
        start = System.nanoTime();
        results = checked(scorer.scoreAll(items));
        times.add(seconds(start));
        pacer.announce(format("round %d %.3f s", round, times.get(round - 1)));
      }
      BenchReport report = new BenchReport(scorer.bundle(), scorer.options(), scorer.device(),
          new BenchReport.Times(jvmSeconds, loadSeconds, warmUpSeconds, times,
              pacer.waitedSeconds()),
          results);
      spec.commandLine().getOut().print(json ? report.json() : report.text());
      spec.commandLine().getOut().flush();
      return Exit.OK;
    }
  }

  /** {@code results}, or a refusal naming the first image that could not be scored. */
  private static List<ScoreResult> checked(List<ScoreResult> results) {
    for (ScoreResult r : results) {
      if (!r.ok()) {
        throw new CliException("cannot benchmark " + Text.printable(r.name()) + ": " + r.error());
      }
    }
    return results;
  }

  private static String format(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
