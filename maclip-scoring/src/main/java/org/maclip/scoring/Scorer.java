package org.maclip.scoring;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * MA-CLIP image quality scores on ONNX Runtime: images in, {@link ScoreResult}s out.
 *
 * <pre>{@code
 * try (Scorer scorer = Scorer.open(Path.of("rn50-bundle"))) {
 *   ScoreResult r = scorer.score(Path.of("photo.jpg"));
 * }
 * }</pre>
 *
 * <p>Each input is decoded and resized ({@link Preparer}), cut into normalised views straight
 * into an encoder batch of {@code batchSize} views (views of many images share a batch and an
 * image's views may span batches, so memory stays bounded whatever the image sizes), encoded, and
 * scored per view ({@link Quality}). Results come in input order. An input that cannot be scored
 * gets {@link ScoreResult#failed} and never stops the others. A view's score depends only on its
 * own pixels, never on the batch size or the batch mates.
 *
 * <p>Thread-safe: one ONNX Runtime session is shared, each call has its own batch.
 */
public final class Scorer implements AutoCloseable {
  private final Bundle bundle;
  private final ScorerOptions options;
  private final FusionParams params;
  private final Views.Config views;
  private final Preparer preparer;
  private final Encoder encoder;
  private final long readNanos;
  private volatile long checksumNanos;
  /** The model's checksum, still running or failed ({@link #openChecking}); null once passed. */
  private volatile Verification checking;
  /** Batch buffers of finished calls, reused: direct memory is slow to allocate and free. */
  private final Queue<FloatBuffer> buffers = new ConcurrentLinkedQueue<>();

  private Scorer(Bundle.Loaded loaded, ScorerOptions options) {
    this.bundle = loaded.bundle();
    this.options = options;
    this.params = options.params().orElse(bundle.defaults());
    this.views = bundle.view().config(options.maxSide(), options.preResize());
    this.preparer =
        new Preparer(views, options.maxPixels(), bundle.mean(), bundle.std(), options.memory());
    this.encoder = Encoder.open(loaded, options.threads(), options.device());
    this.readNanos = loaded.readNanos();
    this.checksumNanos = loaded.checksumNanos();
  }

  /**
   * How long opening took, phase by phase (the phases of {@link #open(Path, ScorerOptions)} run
   * side by side: the checksum on its own thread while ONNX Runtime creates the session).
   *
   * @param readMillis reading and checking the manifest (and a zip's model bytes)
   * @param checksumMillis hashing the model (for a {@link Bundle.Loaded} read earlier, the time
   *     it took then); -1 while it runs ({@link #openChecking})
   * @param sessionMillis ONNX Runtime creating the session
   */
  public record LoadTimes(long readMillis, long checksumMillis, long sessionMillis) {}

  /** How long opening this scorer took, phase by phase. */
  public LoadTimes loadTimes() {
    long checksum = checksumNanos;
    return new LoadTimes(
        readNanos / 1_000_000,
        checksum < 0 ? -1 : checksum / 1_000_000,
        encoder.sessionNanos() / 1_000_000);
  }

  /** Opens the bundle at {@code bundle} (directory or {@code .zip}) with default options. */
  public static Scorer open(Path bundle) {
    return open(bundle, ScorerOptions.defaults());
  }

  /**
   * Opens the bundle at {@code bundle} (directory or {@code .zip}).
   *
   * @throws ModelException naming the bundle and why it cannot be used
   * @throws IllegalArgumentException when the options' max side is below the bundle's min side
   */
  public static Scorer open(Path bundle, ScorerOptions options) {
    // The checksum (about 1 s for 138 MB under a C1-only JIT) runs beside the session creation;
    // a model that fails it is refused before the scorer is returned, whatever the session did.
    Scorer scorer = openChecking(bundle, options);
    try {
      scorer.awaitChecksum();
    } catch (RuntimeException e) {
      scorer.close();
      throw e;
    }
    return scorer;
  }

  /**
   * Opens the bundle at {@code bundle} like {@link #open(Path, ScorerOptions)}, but returns as
   * soon as ONNX Runtime has its session, while the model's checksum goes on in the background
   * (a server's start-up: it overlaps whatever the process does next). No result leaves the
   * scorer before the checksum has passed: every call waits for it, and throws the {@link
   * ModelException} of a damaged model if it failed, without a result.
   *
   * @throws ModelException naming the bundle and why it cannot be used (a damaged model only
   *     when the session could not be created; otherwise from the first call that scores)
   * @throws IllegalArgumentException when the options' max side is below the bundle's min side
   */
  public static Scorer openChecking(Path bundle, ScorerOptions options) {
    Objects.requireNonNull(options, "options");
    Bundle.Loaded loaded = Bundle.readUnverified(bundle);
    Verification check = new Verification(loaded);
    check.start();
    Scorer scorer;
    try {
      scorer = new Scorer(loaded, options);
    } catch (RuntimeException e) {
      check.await(); // a damaged file is the better explanation of a failed session
      throw e;
    }
    scorer.checking = check;
    return scorer;
  }

  /**
   * Waits for the model's checksum of a scorer opened with {@link #openChecking} (at once for any
   * other).
   *
   * @throws ModelException when the model is damaged: this scorer will never give a result
   */
  public void awaitChecksum() {
    Verification check = checking;
    if (check == null) {
      return;
    }
    check.await();
    checksumNanos = check.loaded.checksumNanos();
    checking = null;
  }

  /** {@link Bundle.Loaded#verify()} on a thread of its own. */
  private static final class Verification extends Thread {
    private final Bundle.Loaded loaded;
    private volatile RuntimeException failure;

    Verification(Bundle.Loaded loaded) {
      super("maclip-checksum");
      setDaemon(true);
      this.loaded = loaded;
    }

    @Override
    public void run() {
      try {
        loaded.verify();
      } catch (RuntimeException e) {
        failure = e;
      }
    }

    /** Waits for the check; throws what it threw. */
    void await() {
      boolean interrupted = false;
      while (true) {
        try {
          join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (failure != null) {
        throw failure;
      }
    }
  }

  /**
   * Opens a bundle already read ({@link Bundle#read}), without reading its files again.
   *
   * @throws ModelException naming the bundle and why it cannot be used
   * @throws IllegalArgumentException when the options' max side is below the bundle's min side
   */
  public static Scorer open(Bundle.Loaded bundle, ScorerOptions options) {
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(options, "options");
    return new Scorer(bundle, options);
  }

  /** The bundle this scorer runs. */
  public Bundle bundle() {
    return bundle;
  }

  public ScorerOptions options() {
    return options;
  }

  /** The effective λ, α, b_sim, b_mag: the options' or else the bundle's defaults. */
  public FusionParams params() {
    return params;
  }

  /** The device the encoder runs on (the CPU when CUDA was asked for but could not start). */
  public Device device() {
    return encoder.device();
  }

  /** The view geometry this scorer cuts images with (for quality maps). */
  public Views.Config views() {
    return views;
  }

  /** Scores one file. */
  public ScoreResult score(Path path) {
    return score(ImageInput.of(path));
  }

  /** Scores one input. */
  public ScoreResult score(ImageInput input) {
    return scoreAll(List.of(input)).get(0);
  }

  /** Scores every input; results in input order. */
  public List<ScoreResult> scoreAll(List<? extends ImageInput> inputs) {
    return scoreAll(inputs, ProgressListener.NONE);
  }

  /** Scores every input, telling {@code listener} as each finishes; results in input order. */
  public List<ScoreResult> scoreAll(List<? extends ImageInput> inputs, ProgressListener listener) {
    List<ScoreResult> results = new ArrayList<>(inputs.size());
    scoreEach(
        inputs,
        (result, done, total) -> {
          results.add(result);
          listener.finished(result, done, total);
        });
    return results;
  }

  /**
   * Scores every input and hands each result to {@code listener} in input order, keeping
   * nothing: memory stays bounded however long the list. An input that cannot be scored gets a
   * failed result and the others go on; a {@link SetupException} (a part of maclip missing here,
   * which no input would escape) ends the call.
   */
  public void scoreEach(List<? extends ImageInput> inputs, ProgressListener listener) {
    FloatBuffer buffer = buffers.poll();
    if (buffer == null) {
      buffer = encoder.newBatch(options.batchSize());
    }
    try {
      ProgressListener gated =
          checking == null
              ? listener
              : (result, done, total) -> {
                  awaitChecksum();
                  listener.finished(result, done, total);
                };
      new Run(inputs.size(), gated, buffer).scoreAll(inputs);
    } finally {
      buffers.offer(buffer);
    }
  }

  @Override
  public void close() {
    encoder.close();
  }

  /** One call's batch and queue of unfinished images. */
  private final class Run {
    private final ViewBatch batch;
    private final Deque<Object> pending = new ArrayDeque<>();
    private final int total;
    private final ProgressListener listener;
    private int done;

    Run(int total, ProgressListener listener, FloatBuffer buffer) {
      this.total = total;
      this.listener = listener;
      this.batch = new ViewBatch(encoder, buffer, options.batchSize(), bundle.view().patchSize());
    }

    void scoreAll(List<? extends ImageInput> inputs) {
      for (ImageInput input : inputs) {
        ViewBatch.Job job = prepare(input);
        if (job == null) {
          emitReady();
          continue;
        }
        int cut = 0;
        int count = job.features.length;
        while (cut < count) {
          int take = Math.min(batch.room(), count - cut);
          batch.add(job, cut, take);
          cut += take;
          if (batch.room() == 0) {
            batch.flush();
            emitReady();
          }
        }
      }
      batch.flush();
      emitReady();
    }

    /** The input's job, queued; or null when it failed (its result is queued instead). */
    private ViewBatch.Job prepare(ImageInput input) {
      String name = nameOf(input);
      try {
        ViewBatch.Job job = new ViewBatch.Job(name, preparer.prepare(input));
        pending.add(job);
        return job;
      } catch (PixelLimitException e) {
        pending.add(
            ScoreResult.failed(
                name, e.reason() + "; raise it with " + options.maxPixelsSetting()));
      } catch (ImageException e) {
        pending.add(ScoreResult.failed(name, e.reason()));
      } catch (OutOfMemoryError e) {
        pending.add(ScoreResult.failed(name, "not enough memory to prepare the image"));
      } catch (SetupException e) {
        throw e;
      } catch (RuntimeException | Error e) {
        if (Failures.isSetup(e)) {
          throw new SetupException("read images", e);
        }
        pending.add(
            ScoreResult.failed(
                name,
                "cannot prepare the image (" + e.getClass().getSimpleName() + ": "
                    + Failures.describe(e) + ")"));
      }
      return null;
    }

    /** Hands on every finished image at the head of the queue, in input order. */
    private void emitReady() {
      while (!pending.isEmpty()) {
        Object head = pending.peek();
        ScoreResult result;
        if (head instanceof ScoreResult failed) {
          result = failed;
        } else if (((ViewBatch.Job) head).complete()) {
          result = result((ViewBatch.Job) head);
        } else {
          return;
        }
        pending.poll();
        listener.finished(result, ++done, total);
      }
    }
  }

  private static String nameOf(ImageInput input) {
    try {
      return String.valueOf(input.name());
    } catch (RuntimeException e) {
      return "<input>";
    }
  }

  /** An encoded image's result: per-view scores and their means. */
  private ScoreResult result(ViewBatch.Job job) {
    Quality.ViewValues[] values =
        Quality.scoreViews(
            job.features, bundle.prompts(), bundle.logitScale(), options.method(), params);
    return Results.of(job, values, bundle.prompts());
  }
}
