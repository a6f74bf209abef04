package org.maclip.function;

import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Singleton;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.jboss.logging.Logger;
import org.maclip.scoring.ImageInput;
import org.maclip.scoring.Machine;
import org.maclip.scoring.ModelException;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.Scorer;

/**
 * Lambda SnapStart's runtime hooks ({@code org.crac}). Lambda takes the snapshot once per
 * published version, after the init phase (the model is loaded by then, {@link Beans}); before
 * it, this hook waits for the model's checksum and scores one warm-up image, so every restored
 * copy starts with a verified model, a JIT-compiled scoring path and ONNX Runtime's buffers
 * already allocated. After a restore it runs the bundle's self-check again, since a snapshot
 * taken on one host may be restored on another whose CPU picks other kernels: a host that
 * computes the model differently gets one error line and scores nothing (every batch is then a
 * set-up error, its messages return to the queue). It also re-arms the first-batch timing log,
 * so the first real batch of each restored copy is logged as its cold start.
 *
 * <p>What restored copies must not share: nothing of the function's own is unique to a copy (no
 * random state, no ids; results carry the time they were written). The S3 client's idle
 * connections in the snapshot are dead after a restore; the SDK's retries open new ones.
 * Outside SnapStart (try-local, the GPU worker, {@code $LATEST}) the hooks never run.
 */
@Startup
@Singleton
public class SnapStartPriming implements Resource {
  private static final Logger LOG = Logger.getLogger(SnapStartPriming.class);
  /** 1024×768: 36 views, more than one ONNX Runtime run at the default batch size of 32. */
  static final int WARM_UP_WIDTH = 1024;

  static final int WARM_UP_HEIGHT = 768;

  private final Scorer scorer;
  private volatile ScoreResult warmUp;

  public SnapStartPriming(Scorer scorer) {
    this.scorer = scorer;
  }

  @PostConstruct
  void registerGlobally() {
    register(Core.getGlobalContext());
  }

  /** Registers the hooks (the context keeps only a weak reference; this bean keeps them alive). */
  void register(Context<Resource> context) {
    context.register(this);
  }

  /** The warm-up's result, once {@link #beforeCheckpoint} has run; null before. */
  ScoreResult warmUp() {
    return warmUp;
  }

  @Override
  public void beforeCheckpoint(Context<? extends Resource> context) {
    long start = System.nanoTime();
    scorer.awaitReady(); // a damaged model fails the snapshot, so the version never serves
    long checked = System.nanoTime();
    ScoreResult result = scorer.score(ImageInput.of("maclip-warm-up.jpg", warmUpJpeg()));
    if (!result.ok()) {
      throw new IllegalStateException("the SnapStart warm-up image could not be scored: "
          + result.error());
    }
    warmUp = result;
    LOG.infof("SnapStart: before the snapshot, checksum waited %d ms, warm-up batch (%dx%d,"
            + " %d views) %d ms", (checked - start) / 1_000_000, WARM_UP_WIDTH, WARM_UP_HEIGHT,
        result.viewCount(), (System.nanoTime() - checked) / 1_000_000);
  }

  @Override
  public void afterRestore(Context<? extends Resource> context) {
    ScoringService.rearmFirstBatchLog();
    try {
      String check = scorer.recheck()
          .map(outcome -> "passed in " + outcome.nanos() / 1_000_000 + " ms")
          .orElse("is absent (an older bundle)");
      LOG.infof("SnapStart: restored from the snapshot; the model's self-check %s on %s; the"
          + " first batch is logged with its time", check, Machine.describe());
    } catch (ModelException e) {
      LOG.errorf("SnapStart: restored on a host that computes the model differently; nothing"
          + " will be scored here: %s", e.getMessage());
    }
  }

  /** A deterministic photo-like JPEG: gradients, edges and texture, so every view has detail. */
  static byte[] warmUpJpeg() {
    BufferedImage image =
        new BufferedImage(WARM_UP_WIDTH, WARM_UP_HEIGHT, BufferedImage.TYPE_INT_RGB);
    int state = 12345;
    for (int y = 0; y < WARM_UP_HEIGHT; y++) {
      for (int x = 0; x < WARM_UP_WIDTH; x++) {
        state = state * 1103515245 + 12345;
        int noise = (state >>> 24) & 31;
        int edge = ((x / 64 + y / 48) & 1) * 96;
        int r = Math.min(255, x * 160 / WARM_UP_WIDTH + edge / 2 + noise);
        int g = Math.min(255, y * 160 / WARM_UP_HEIGHT + noise);
        int b = Math.min(255, edge + noise);
        image.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "jpg", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
