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
 * <p>Each input is decoded, resized and normalised ({@link Preparer}), cut into views straight
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
  /** Batch buffers of finished calls, reused: direct memory is slow to allocate and free. */
  private final Queue<FloatBuffer> buffers = new ConcurrentLinkedQueue<>();

  private Scorer(Bundle.Loaded loaded, ScorerOptions options) {
    this.bundle = loaded.bundle();
    this.options = options;
    this.params = options.params().orElse(bundle.defaults());
    this.views = bundle.view().config(options.maxSide(), options.preResize());
    this.preparer = new Preparer(views, options.maxPixels(), bundle.mean(), bundle.std());
    this.encoder = Encoder.open(loaded, options.threads(), options.device());
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
    Objects.requireNonNull(options, "options");
    return open(Bundle.read(bundle), options);
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
      new Run(inputs.size(), listener, buffer).scoreAll(inputs);
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
