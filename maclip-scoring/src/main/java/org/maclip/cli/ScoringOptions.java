package org.maclip.cli;

import java.nio.file.Path;
import org.maclip.scoring.Bundle;
import org.maclip.scoring.Device;
import org.maclip.scoring.Method;
import org.maclip.scoring.Scorer;
import org.maclip.scoring.ScorerOptions;
import picocli.CommandLine.Option;

/**
 * The options every command that opens a {@link Scorer} shares (a picocli mixin): the bundle, how
 * ONNX Runtime runs it, the method and fusion parameters, and how images are prepared.
 */
final class ScoringOptions {
  @Option(names = {"-m", "--model"}, required = true, paramLabel = "BUNDLE",
      description = "model bundle: a folder or .zip written by maclip-pytorch export")
  Path model;

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

  /**
   * Reads the bundle once and opens it with these options.
   *
   * @throws org.maclip.scoring.ModelException the bundle cannot be used
   */
  Scorer open() {
    return ScorerFactory.open(Bundle.read(model), options(), params());
  }

  /** The scorer options the command line gives, the library's defaults elsewhere. */
  ScorerOptions options() {
    ScorerOptions o = ScorerOptions.defaults().withMaxPixelsSetting("--max-pixels");
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
