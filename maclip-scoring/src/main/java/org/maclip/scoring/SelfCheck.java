package org.maclip.scoring;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * A bundle's self-check ({@code docs/bundle.md}): a few views stored as the exact tensors the
 * encoder receives ({@code selfcheck.f32}), with the embeddings and per-view Q that ONNX Runtime
 * computed for them where the bundle was exported. A scorer runs them when it opens the bundle
 * and refuses a model that computes differently on this machine (int8 that saturates on a CPU
 * without VNNI, a broken engine), so no result depends silently on the CPU it ran on.
 *
 * @param file the views' file in the bundle
 * @param crc32 the file's crc32, 8 hex digits
 * @param views how many views the file holds, {@code [views, 3, P, P]} float32 little-endian
 * @param embeddings the expected embeddings, {@code [views][D]}
 * @param q the expected Q of each view, scored with {@code method} and {@code params}
 * @param method the method the expected Q was scored with (the bundle's default at export)
 * @param params the parameters the expected Q was scored with (the bundle's defaults at export)
 * @param embeddingTolerance largest embedding difference, relative to {@code max(1, max |e|)}
 * @param qTolerance largest difference of a view's Q
 * @param computedOn the machine and engine that computed the expected values
 */
public record SelfCheck(
    String file,
    String crc32,
    int views,
    float[][] embeddings,
    double[] q,
    Method method,
    FusionParams params,
    double embeddingTolerance,
    double qTolerance,
    String computedOn) {

  /**
   * How much more a CUDA session may differ than the bundle's tolerance: cuDNN picks its own
   * convolution algorithms (and may round through TF32), so a GPU is not expected to reproduce
   * the CPU's bits. A bound chosen, not measured: no GPU was at hand when it was set.
   */
  static final double CUDA_ALLOWANCE = 100;

  /**
   * What this machine computed for the check's views.
   *
   * @param embeddingDiff largest embedding difference, relative
   * @param qDiff largest difference of a view's Q
   * @param nanos time the check took (encoding and scoring the views)
   */
  public record Outcome(double embeddingDiff, double qDiff, long nanos) {}

  /**
   * Runs the check's {@code data} (the file's bytes) through {@code encoder} and refuses the model
   * when this machine's results are past the tolerance.
   *
   * @throws ModelException naming the bundle, the measured and allowed differences, this machine
   *     and the exporter's
   */
  Outcome verify(Bundle bundle, Encoder encoder, byte[] data) {
    long start = System.nanoTime();
    int floats = encoder.viewFloats();
    if (data.length != (long) views * floats * Float.BYTES) {
      throw Bundle.failure(bundle.path(), file + " holds " + data.length + " bytes, not "
          + views + " views of " + floats + " float32 values");
    }
    FloatBuffer batch = Encoder.newBatch(views, bundle.view().patchSize());
    batch.put(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer());
    float[][] actual = encoder.encode(batch, views);
    Quality.ViewValues[] values =
        Quality.scoreViews(actual, bundle.prompts(), bundle.logitScale(), method, params);
    double[] actualQ = new double[views];
    for (int i = 0; i < views; i++) {
      actualQ[i] = values[i].q();
    }
    Outcome outcome =
        new Outcome(
            largestRelativeDiff(embeddings, actual),
            largestDiff(q, actualQ),
            System.nanoTime() - start);
    double allowance = encoder.device() == Device.CUDA ? CUDA_ALLOWANCE : 1;
    if (!(outcome.embeddingDiff() <= embeddingTolerance * allowance)
        || !(outcome.qDiff() <= qTolerance * allowance)) {
      throw Bundle.failure(
          bundle.path(),
          "this machine computes the model differently from where it was exported: on the "
              + "self-check's " + views + " views, Q differs by " + format(outcome.qDiff())
              + " (allowed " + format(qTolerance * allowance) + ") and the embeddings by "
              + format(outcome.embeddingDiff()) + " (relative, allowed "
              + format(embeddingTolerance * allowance) + "); here: " + Machine.describe()
              + " on the " + encoder.device() + "; exported on: " + computedOn);
    }
    return outcome;
  }

  /** Largest {@code |a − e|} of a row over {@code max(1, max |e|)} of that row, over all rows. */
  static double largestRelativeDiff(float[][] expected, float[][] actual) {
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      double scale = 1;
      double diff = 0;
      for (int j = 0; j < expected[i].length; j++) {
        scale = Math.max(scale, Math.abs(expected[i][j]));
        diff = Math.max(diff, Math.abs((double) actual[i][j] - expected[i][j]));
        if (Double.isNaN(actual[i][j])) {
          return Double.NaN;
        }
      }
      worst = Math.max(worst, diff / scale);
    }
    return worst;
  }

  /** Largest {@code |a − e|}; NaN when any value is NaN. */
  static double largestDiff(double[] expected, double[] actual) {
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      double diff = Math.abs(actual[i] - expected[i]);
      if (Double.isNaN(diff)) {
        return Double.NaN;
      }
      worst = Math.max(worst, diff);
    }
    return worst;
  }

  private static String format(double value) {
    return String.format(java.util.Locale.ROOT, "%.3g", value);
  }
}
