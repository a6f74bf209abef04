package org.maclip.scoring;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One encoder batch being filled: views of one or more images are cut straight into a direct
 * buffer of {@code capacity} views, so no image's views are ever all in memory at once. {@link
 * #flush} encodes what it holds and hands each image its embeddings, in order.
 */
final class ViewBatch {
  /** An image whose views are being encoded; its embeddings arrive batch by batch. */
  static final class Job {
    final String name;
    final int width;
    final int height;
    final int preparedWidth;
    final int preparedHeight;
    final List<ViewBox> boxes;
    final float[][] features;
    /** The prepared pixels, until every view is cut. */
    private Normalised image;
    private int done;

    Job(String name, Preparer.Prepared prepared) {
      this.name = name;
      this.width = prepared.width();
      this.height = prepared.height();
      this.image = prepared.normalised();
      this.preparedWidth = image.width();
      this.preparedHeight = image.height();
      this.boxes = prepared.boxes();
      this.features = new float[boxes.size()][];
    }

    boolean complete() {
      return done == features.length;
    }
  }

  private record Segment(Job job, int count) {}

  private final Supplier<Encoder> encoder;
  private final int capacity;
  private final int patch;
  private final FloatBuffer buffer;
  private final float[] globalView;
  private final float[] line;
  private final List<Segment> segments = new ArrayList<>();
  private int filled;

  /**
   * @param encoder the encoder, asked for when the first batch is full (a scorer's session may
   *     still be starting while the first views are cut)
   * @param buffer room for {@code capacity} views ({@link Encoder#newBatch}), reused across calls
   */
  ViewBatch(Supplier<Encoder> encoder, FloatBuffer buffer, int capacity, int patchSize) {
    this.encoder = encoder;
    this.capacity = capacity;
    this.patch = patchSize;
    this.buffer = buffer;
    this.globalView = new float[3 * patchSize * patchSize];
    this.line = new float[patchSize];
  }

  /** Free view slots left in this batch. */
  int room() {
    return capacity - filled;
  }

  /** Cuts views {@code from .. from + count − 1} of {@code job} into the next free slots. */
  void add(Job job, int from, int count) {
    for (int v = from; v < from + count; v++) {
      cut(job.image, job.boxes.get(v), filled * 3 * patch * patch);
      filled++;
    }
    if (from + count == job.boxes.size()) {
      job.image = null; // every view is cut: the pixels can go
    }
    segments.add(new Segment(job, count));
  }

  /**
   * Cuts one view into the buffer, normalised as it is read: a patch row by row, the global view
   * by torch's bilinear resize of the normalised image, reading only the pixels it needs.
   */
  private void cut(Normalised image, ViewBox box, int offset) {
    if (box.global()) {
      Resize.bilinearInto(
          image::value, 3, image.width(), image.height(), patch, patch, globalView, 0);
      buffer.put(offset, globalView);
      return;
    }
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < patch; y++) {
        image.row(c, box.left(), box.top() + y, patch, line);
        buffer.put(offset + (c * patch + y) * patch, line, 0, patch);
      }
    }
  }

  /** Encodes the views held and gives each job its embeddings; the batch is empty after. */
  void flush() {
    if (filled == 0) {
      return;
    }
    float[][] features = encoder.get().encode(buffer, filled);
    int row = 0;
    for (Segment segment : segments) {
      Job job = segment.job();
      for (int i = 0; i < segment.count(); i++) {
        job.features[job.done++] = features[row++];
      }
    }
    segments.clear();
    filled = 0;
  }
}
