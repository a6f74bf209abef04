package org.maclip.scoring;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * CLIP's image encoder on ONNX Runtime: one session per bundle, shared by every thread (ONNX
 * Runtime's {@code run} is thread-safe). Views go in as one direct, native-order buffer per
 * batch ({@code [N, 3, P, P]}, no copy); unnormalised embeddings {@code [N][D]} come out.
 */
final class Encoder implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Encoder.class.getName());

  /**
   * ONNX Runtime's session option that keeps int8 exact on x86-64 CPUs without VNNI. There ONNX
   * Runtime multiplies u8 activations by s8 weights with an instruction that adds pairs of
   * products into 16 bits and saturates; with this option the s8 weights become u8 at load and
   * run on kernels that cannot (other CPUs ignore it). Bundles with 7-bit weights cannot
   * saturate and run without it, at full int8 speed; bundles with full 8-bit weights get it.
   */
  static final String INT8_PRECISION_OPTION = "session.x64quantprecision";

  private final Bundle bundle;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final String inputName;
  private final int patchSize;
  private final int embedDim;
  private final Device device;
  private final long sessionNanos;
  private boolean closed;

  private Encoder(
      Bundle bundle, OrtEnvironment env, OrtSession session, Device device, long sessionNanos) {
    this.bundle = bundle;
    this.sessionNanos = sessionNanos;
    this.env = env;
    this.session = session;
    this.device = device;
    this.inputName = session.getInputNames().iterator().next();
    this.patchSize = bundle.view().patchSize();
    this.embedDim = bundle.embedDim();
  }

  /**
   * Starts a session for the bundle's model and checks its input and output shapes.
   *
   * @throws ModelException when ONNX Runtime cannot load the model or its shapes are wrong
   */
  static Encoder open(Bundle.Loaded loaded, int threads, Device device) {
    Bundle bundle = loaded.bundle();
    long start = System.nanoTime();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session = null;
    Device used = device;
    try {
      if (device == Device.CUDA) {
        try {
          session = createSession(env, loaded, threads, true);
        } catch (OrtException | RuntimeException e) {
          LOG.log(
              System.Logger.Level.WARNING,
              "CUDA could not start (" + Failures.describe(e) + "); running on the CPU");
          used = Device.CPU;
        }
      }
      if (session == null) {
        session = createSession(env, loaded, threads, false);
      }
      long sessionNanos = System.nanoTime() - start;
      checkShapes(bundle, session);
      return new Encoder(bundle, env, session, used, sessionNanos);
    } catch (OrtException e) {
      closeQuietly(session);
      throw Bundle.failure(
          bundle.path(), "ONNX Runtime cannot load the model (" + e.getMessage() + ")");
    } catch (ModelException e) {
      closeQuietly(session);
      throw e;
    }
  }

  /**
   * A session for the bundle's model: ONNX Runtime reads a directory bundle's file itself (the
   * model never passes through the Java heap); a zip bundle's model comes as its bytes.
   */
  private static OrtSession createSession(
      OrtEnvironment env, Bundle.Loaded loaded, int threads, boolean cuda) throws OrtException {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      // No memory pattern: with it, ONNX Runtime plans one contiguous block per batch shape on
      // its second run, on top of the arena its first run grew, so a second full batch adds
      // the block again (RN50 at batch 32: 150 MB more at the peak; the tiny model: 40 MB) for
      // no measurable speed. Scores are the same: only where activations live changes.
      options.setMemoryPatternOptimization(false);
      if (loaded.bundle().int8FullRangeWeights()) {
        options.addConfigEntry(INT8_PRECISION_OPTION, "1");
      }
      if (threads > 0) {
        options.setIntraOpNumThreads(threads);
      }
      if (cuda) {
        options.addCUDA(0);
      }
      return loaded.modelFile() != null
          ? env.createSession(loaded.modelFile().toString(), options)
          : env.createSession(loaded.model(), options);
    }
  }

  private static void checkShapes(Bundle bundle, OrtSession session) throws OrtException {
    if (session.getNumInputs() != 1 || session.getNumOutputs() < 1) {
      throw Bundle.failure(
          bundle.path(),
          "the ONNX model has " + session.getNumInputs() + " inputs and "
              + session.getNumOutputs() + " outputs; expected one input and one output");
    }
    int p = bundle.view().patchSize();
    long[] input = shape(session.getInputInfo());
    if (input.length != 4 || input[1] != 3 || input[2] != p || input[3] != p) {
      throw Bundle.failure(
          bundle.path(),
          "the ONNX input has shape " + Arrays.toString(input) + ", not [N, 3, " + p + ", " + p
              + "]");
    }
    long[] output = shape(session.getOutputInfo());
    if (output.length != 2 || (output[1] > 0 && output[1] != bundle.embedDim())) {
      throw Bundle.failure(
          bundle.path(),
          "the ONNX output has shape " + Arrays.toString(output) + " but embed_dim is "
              + bundle.embedDim());
    }
  }

  private static long[] shape(Map<String, NodeInfo> infos) {
    NodeInfo info = infos.values().iterator().next();
    if (info.getInfo() instanceof TensorInfo tensor) {
      return tensor.getShape();
    }
    return new long[0];
  }

  private static void closeQuietly(OrtSession session) {
    if (session != null) {
      try {
        session.close();
      } catch (OrtException e) {
        LOG.log(System.Logger.Level.DEBUG, "closing a failed session", e);
      }
    }
  }

  /**
   * A batch buffer for {@code views} views of {@code patchSize}² pixels: direct, native order, as
   * ONNX Runtime reads it.
   */
  public static FloatBuffer newBatch(int views, int patchSize) {
    return java.nio.ByteBuffer.allocateDirect(
            Math.multiplyExact(views, 3 * patchSize * patchSize) * 4)
        .order(java.nio.ByteOrder.nativeOrder())
        .asFloatBuffer();
  }

  /** Floats of one view, {@code 3 · P · P}. */
  public int viewFloats() {
    return 3 * patchSize * patchSize;
  }

  /**
   * Embeds the first {@code count} views of {@code batch}.
   *
   * @return {@code [count][D]} unnormalised embeddings
   * @throws ModelException when ONNX Runtime fails
   */
  public float[][] encode(FloatBuffer batch, int count) {
    FloatBuffer views = batch.duplicate();
    views.position(0).limit(count * viewFloats());
    long[] shape = {count, 3, patchSize, patchSize};
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, views, shape);
        OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
      FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
      if (out.remaining() != (long) count * embedDim) {
        throw Bundle.failure(
            bundle.path(),
            "the model returned " + out.remaining() + " values for " + count + " views of "
                + embedDim);
      }
      float[][] rows = new float[count][embedDim];
      for (float[] row : rows) {
        out.get(row);
      }
      return rows;
    } catch (OrtException e) {
      throw Bundle.failure(bundle.path(), "ONNX Runtime failed (" + e.getMessage() + ")");
    }
  }

  /** Time ONNX Runtime took to create the session, in nanoseconds. */
  long sessionNanos() {
    return sessionNanos;
  }

  /** The device the session runs on (the CPU when CUDA could not start). */
  public Device device() {
    return device;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeQuietly(session);
  }
}
