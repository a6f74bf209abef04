package org.maclip.function;

/**
 * Where one object's time went, in milliseconds.
 *
 * @param fetchMs GetObject, the body read
 * @param scoreMs this image's share of the batch: time since the previous image finished
 * @param batchMs the whole scoring batch the image was part of
 * @param batchImages images in that batch
 */
public record Timings(long fetchMs, long scoreMs, long batchMs, int batchImages) {
  public static final Timings NONE = new Timings(0, 0, 0, 0);
}
