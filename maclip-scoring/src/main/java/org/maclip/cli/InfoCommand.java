package org.maclip.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.maclip.scoring.Bundle;
import org.maclip.scoring.FusionParams;
import org.maclip.scoring.Machine;
import org.maclip.scoring.ModelIdentity;
import org.maclip.scoring.PromptPair;
import org.maclip.scoring.Scorer;
import org.maclip.scoring.ScorerOptions;
import org.maclip.scoring.SelfCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code maclip info}: reads and checks a bundle (checksum and self-check included: the model runs
 * once on this machine) and prints its metadata.
 */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Check a model bundle and print what it holds.")
final class InfoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = {"-m", "--model"}, required = true, paramLabel = "BUNDLE",
      description = "model bundle: a folder or .zip written by maclip-pytorch export")
  Path model;

  @Option(names = "--verify",
      description = "also verify the model's sha256 (streamed; about 1 s for RN50) against the"
          + " manifest's, and record it beside the bundle (" + ModelIdentity.RECORD + ")")
  boolean verify;

  @Option(names = "--sha256", paramLabel = "HEX",
      description = "the sha256 the model must have (implies --verify)")
  String sha256;

  @Override
  public Integer call() {
    if (sha256 != null && !ModelIdentity.isSha256(sha256)) {
      throw new CliException("--sha256 must be 64 hex digits, found '" + sha256 + "'");
    }
    if (verify || sha256 != null) {
      ModelIdentity.verifyAndRecord(model, sha256);
    }
    Bundle.Loaded bundle = Bundle.read(model);
    Optional<SelfCheck.Outcome> outcome;
    try (Scorer scorer = Scorer.open(bundle, ScorerOptions.defaults().withThreads(1))) {
      outcome = scorer.selfCheck();
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(describe(bundle.bundle(), checked(bundle), outcome));
    out.flush();
    return Exit.OK;
  }

  /** How the model was checked, in words. */
  private static String checked(Bundle.Loaded bundle) {
    String sum = "file verified by its " + bundle.checksumName();
    if (bundle.checksumName().equals("sha256")) {
      return sum;
    }
    return sum + (bundle.sha256Verified()
        ? "; sha256 verified where the bundle arrived (" + ModelIdentity.RECORD + ")"
        : "; sha256 not verified: --verify does it");
  }

  /**
   * The bundle's metadata, one {@code name: value} line each; {@code checked}: how its model was
   * checked; {@code outcome}: what this machine computed for its self-check.
   */
  static String describe(Bundle b, String checked, Optional<SelfCheck.Outcome> outcome) {
    StringBuilder text = new StringBuilder();
    line(text, "bundle", b.path().toString());
    line(text, "backbone", b.backbone() + " (" + b.family() + ")");
    line(text, "pretrained", b.pretrained()
        + (b.pretrained().equals("random") ? "  (random weights: for tests and demos only)" : ""));
    line(text, "embed_dim", Integer.toString(b.embedDim()));
    Bundle.ViewSettings v = b.view();
    line(text, "views", v.patchSize() + "x" + v.patchSize() + " patches, stride " + v.stride()
        + ", short side at least " + v.minSide()
        + (v.includeGlobal() ? ", plus the whole image" : ""));
    line(text, "logit_scale", number(b.logitScale()));
    FusionParams p = b.defaults();
    line(text, "defaults", "method " + b.defaultMethod().id() + ", lam " + number(p.lam())
        + ", alpha " + number(p.alpha()) + ", b_sim " + number(p.bSim()) + ", b_mag "
        + number(p.bMag()));
    line(text, "prompts", Integer.toString(b.prompts().size()));
    for (PromptPair pair : b.prompts()) {
      text.append("  ").append(pair.positive()).append(" / ").append(pair.negative()).append('\n');
    }
    line(text, "precision", b.precision());
    if (!b.int8Check().isEmpty()) {
      Map<String, Double> c = b.int8Check();
      line(text, "int8 vs fp32", "on " + whole(c.get("images")) + " held-out images ("
          + whole(c.get("views")) + " views): smallest view cosine "
          + figure(c.get("min_view_cosine")) + ", largest |dQ| " + figure(c.get("max_abs_q_diff"))
          + ", Spearman of Q " + figure(c.get("q_spearman")));
    }
    line(text, "self-check", b.selfCheck().map(check -> check.views() + " views computed on "
        + check.computedOn() + "; here (" + Machine.describe() + ") Q within "
        + difference(outcome.map(SelfCheck.Outcome::qDiff)) + " of them, embeddings within "
        + difference(outcome.map(SelfCheck.Outcome::embeddingDiff)) + " (allowed "
        + difference(Optional.of(check.qTolerance())) + " and "
        + difference(Optional.of(check.embeddingTolerance())) + ")")
        .orElse("none (exported before self-checks)"));
    line(text, "onnx", "opset " + b.opset() + ", " + b.inputName() + " -> " + b.outputName()
        + ", sha256 " + b.sha256() + " (" + checked + ")");
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(b.versions()).entrySet()) {
      line(text, "version " + e.getKey(), e.getValue());
    }
    return text.toString();
  }

  private static void line(StringBuilder text, String name, String value) {
    text.append(name).append(": ").append(value).append('\n');
  }

  private static String whole(Double value) {
    return value == null ? "?" : Long.toString(Math.round(value));
  }

  /** A measured figure to six significant digits ({@code ?} when the manifest lacks it). */
  private static String figure(Double value) {
    return value == null ? "?" : String.format(Locale.ROOT, "%.6g", value);
  }

  /** A small difference to two significant digits ({@code ?} when unknown). */
  private static String difference(Optional<Double> value) {
    return value.map(v -> v == 0 ? "0" : String.format(Locale.ROOT, "%.2g", v)).orElse("?");
  }

  private static String number(double value) {
    return String.format(Locale.ROOT, "%s", value);
  }
}
