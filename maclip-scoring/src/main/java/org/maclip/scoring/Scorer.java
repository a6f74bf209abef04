package org.maclip.scoring;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
  /** Reads the self-check's views again for {@link #recheck} (not the model's bytes). */
  private final java.util.function.Supplier<byte[]> selfCheckViews;
  private final ScorerOptions options;
  private final FusionParams params;
  private final Views.Config views;
  private final Preparer preparer;
  private final long readNanos;
  /** The encoder; still being created by ONNX Runtime after {@link #openInBackground}. */
  private final Background<Encoder> encoder;
  /** The model's checksum; still running after {@link #openInBackground}. */
  private final Background<Long> checksum;
  /**
   * The bundle's self-check on this machine, once the session exists (empty for a bundle without
   * one); still running after {@link #openInBackground}, run again by {@link #recheck}.
   */
  private volatile Background<Optional<SelfCheck.Outcome>> selfCheck;
  /** Batch buffers of finished calls, reused: direct memory is slow to allocate and free. */
  private final Queue<FloatBuffer> buffers = new ConcurrentLinkedQueue<>();

  private Scorer(
      Bundle.Loaded loaded, ScorerOptions options, Background<Encoder> encoder,
      Background<Long> checksum, Background<Optional<SelfCheck.Outcome>> selfCheck) {
    this.bundle = loaded.bundle();
    this.selfCheckViews = loaded.selfCheckViews();
    this.options = options;
    this.params = options.params().orElse(bundle.defaults());
    this.views = bundle.view().config(options.maxSide(), options.preResize());
    this.preparer =
        new Preparer(views, options.maxPixels(), bundle.mean(), bundle.std(), options.memory());
    this.readNanos = loaded.readNanos();
    this.encoder = encoder;
    this.checksum = checksum;
    this.selfCheck = selfCheck;
  }

  /**
   * How long opening took, phase by phase (the session and the checksum run side by side, each
   * on a thread of its own).
   *
   * @param readMillis reading and checking the manifest (and a zip's model bytes)
   * @param checksumMillis checking the model's sum (for a {@link Bundle.Loaded} read earlier,
   *     the time it took then); -1 while it runs ({@link #openInBackground})
   * @param sessionMillis ONNX Runtime creating the session; -1 while it runs
   * @param selfCheckMillis the bundle's self-check, after the session (the latest run, {@link
   *     #recheck}); -1 while it runs, and for a bundle without one
   */
  public record LoadTimes(
      long readMillis, long checksumMillis, long sessionMillis, long selfCheckMillis) {}

  /** How long opening this scorer took, phase by phase. */
  public LoadTimes loadTimes() {
    Long checked = checksum.now();
    Encoder session = encoder.now();
    Optional<SelfCheck.Outcome> selfChecked = selfCheck.now();
    return new LoadTimes(
        readNanos / 1_000_000,
        checked == null ? -1 : checked / 1_000_000,
        session == null ? -1 : session.sessionNanos() / 1_000_000,
        selfChecked == null ? -1 : selfChecked.map(o -> o.nanos() / 1_000_000).orElse(-1L));
  }

  /** Opens the bundle at {@code bundle} (directory or {@code .zip}) with default options. */
  public static Scorer open(Path bundle) {
    return open(bundle, ScorerOptions.defaults());
  }

  /**
   * Opens the bundle at {@code bundle} (directory or {@code .zip}): ONNX Runtime creates the
   * session while the model's checksum runs beside it, then the session runs the bundle's
   * self-check ({@link SelfCheck}); a model that fails any of them is refused before the scorer
   * is returned.
   *
   * @throws ModelException naming the bundle and why it cannot be used
   * @throws IllegalArgumentException when the options' max side is below the bundle's min side
   */
  public static Scorer open(Path bundle, ScorerOptions options) {
    Scorer scorer = openInBackground(bundle, options);
    try {
      scorer.awaitReady();
    } catch (RuntimeException e) {
      scorer.close();
      throw e;
    }
    return scorer;
  }

  /**
   * Opens the bundle at {@code bundle} like {@link #open(Path, ScorerOptions)}, but returns as
   * soon as the manifest is read, while ONNX Runtime creates the session (then runs the bundle's
   * self-check) and the model's checksum runs, each on a thread of its own (a server's start-up:
   * they overlap whatever the process does next, and the first images are decoded and cut into
   * views meanwhile). No result leaves the scorer before all have finished: every call that
   * scores waits for them, and throws the {@link ModelException} of a model that failed any,
   * without a result.
   *
   * @throws ModelException naming the bundle when its manifest cannot be used (a damaged model
   *     or one ONNX Runtime refuses: from {@link #awaitReady} and every call that scores)
   * @throws IllegalArgumentException when the options' max side is below the bundle's min side
   */
  public static Scorer openInBackground(Path bundle, ScorerOptions options) {
    Objects.requireNonNull(options, "options");
    Bundle.Loaded loaded = Bundle.readUnverified(bundle);
    loaded.bundle().view().config(options.maxSide(), options.preResize()); // checks max side
    Background<Long> checksum = new Background<>("maclip-checksum", () -> {
      loaded.verify();
      return loaded.checksumNanos();
    });
    Background<Encoder> encoder = new Background<>("maclip-session",
        () -> Encoder.open(loaded, options.threads(), options.device()));
    Background<Optional<SelfCheck.Outcome>> selfCheck =
        new Background<>("maclip-self-check",
            () -> selfCheck(loaded.bundle(), loaded.selfCheckViews(), encoder.get()));
    return new Scorer(loaded, options, encoder, checksum, selfCheck);
  }

  /**
   * Runs the bundle's self-check on this machine's session; empty for a bundle without one.
   *
   * @throws ModelException when this machine computes the model differently
   */
  private static Optional<SelfCheck.Outcome> selfCheck(
      Bundle bundle, java.util.function.Supplier<byte[]> views, Encoder encoder) {
    return bundle.selfCheck().map(check -> check.verify(bundle, encoder, views.get()));
  }

  /**
   * What this machine computed for the bundle's self-check (empty for a bundle without one),
   * waiting for it after {@link #openInBackground}.
   *
   * @throws ModelException when this machine computes the model differently
   */
  public Optional<SelfCheck.Outcome> selfCheck() {
    return selfCheck.get();
  }

  /**
   * Runs the bundle's self-check again, now, on this thread: after a process was restored from a
   * snapshot taken on another machine (Lambda SnapStart), whose CPU may pick other kernels. A
   * model that fails it is refused from then on: every call that scores throws its {@link
   * ModelException}.
   *
   * @return what this machine computed against the check (empty for a bundle without one)
   * @throws ModelException when this machine computes the model differently
   */
  public Optional<SelfCheck.Outcome> recheck() {
    Background<Optional<SelfCheck.Outcome>> again =
        Background.now(() -> selfCheck(bundle, selfCheckViews, session()));
    selfCheck = again;
    return again.get();
  }

  /**
   * Waits until the session exists and the model's checksum and self-check have passed (at once
   * for a scorer from {@link #open}). A damaged model is the better explanation of a failed
   * session or self-check, so a failed checksum is thrown first.
   *
   * @throws ModelException when the model is damaged or ONNX Runtime refuses it: this scorer
   *     will never give a result
   */
  public void awaitReady() {
    checksum.get();
    encoder.get();
    selfCheck.get();
  }

  /** The encoder, once ONNX Runtime has it; what refused it, or a failed checksum, if either. */
  private Encoder session() {
    try {
      return encoder.get();
    } catch (RuntimeException e) {
      checksum.get(); // a damaged model explains a refused session better
      throw e;
    }
  }

  /**
   * A value made on a thread of its own, started at once; {@link #get} waits for it and throws
   * what making it threw.
   */
  private static final class Background<T> {
    private final java.util.concurrent.CompletableFuture<T> value =
        new java.util.concurrent.CompletableFuture<>();

    Background(String name, java.util.function.Supplier<T> make) {
      Thread thread = new Thread(() -> {
        try {
          value.complete(make.get());
        } catch (RuntimeException | Error e) {
          value.completeExceptionally(e);
        }
      }, name);
      thread.setDaemon(true);
      thread.start();
    }

    private Background() {}

    /** A value made now, on this thread: {@link #get} throws what making it threw. */
    static <T> Background<T> now(java.util.function.Supplier<T> make) {
      Background<T> made = new Background<>();
      try {
        made.value.complete(make.get());
      } catch (RuntimeException | Error e) {
        made.value.completeExceptionally(e);
      }
      return made;
    }

    T get() {
      try {
        return value.join();
      } catch (java.util.concurrent.CompletionException e) {
        if (e.getCause() instanceof RuntimeException cause) {
          throw cause;
        }
        if (e.getCause() instanceof Error cause) {
          throw cause;
        }
        throw e;
      }
    }

    /** The value if it is ready and was made; null while it is being made or when it failed. */
    T now() {
      return value.isDone() && !value.isCompletedExceptionally() ? value.join() : null;
    }
  }

  /**
   * Opens a bundle already read ({@link Bundle#read}), without reading its model again (only
   * its self-check's views), and runs the self-check before returning.
   *
   * @throws ModelException naming the bundle and why it cannot be used
   * @throws IllegalArgumentException when the options' max side is below the bundle's min side
   */
  public static Scorer open(Bundle.Loaded bundle, ScorerOptions options) {
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(options, "options");
    Encoder encoder = Encoder.open(bundle, options.threads(), options.device());
    try {
      Scorer scorer = new Scorer(bundle, options, Background.now(() -> encoder),
          Background.now(bundle::checksumNanos),
          Background.now(() -> selfCheck(bundle.bundle(), bundle.selfCheckViews(), encoder)));
      scorer.awaitReady();
      return scorer;
    } catch (RuntimeException e) {
      encoder.close();
      throw e;
    }
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
    return session().device();
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
      buffer = Encoder.newBatch(options.batchSize(), bundle.view().patchSize());
    }
    try {
      ProgressListener gated =
          (result, done, total) -> {
            awaitReady(); // at once, unless the scorer was opened in the background
            listener.finished(result, done, total);
          };
      new Run(inputs.size(), gated, buffer).scoreAll(inputs);
    } finally {
      buffers.offer(buffer);
    }
  }

  @Override
  public void close() {
    Encoder made;
    try {
      made = encoder.get(); // a session still being created is closed once it exists
    } catch (RuntimeException e) {
      return; // none was made
    }
    try {
      selfCheck.get(); // a self-check still running uses the session
    } catch (RuntimeException e) {
      // it failed: the session is closed all the same
    }
    made.close();
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
      this.batch =
          new ViewBatch(Scorer.this::session, buffer, options.batchSize(),
              bundle.view().patchSize());
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
