package org.maclip.scoring;

/**
 * Memory reserved by the images being decoded and prepared at once, by every thread that scores
 * with one scorer, against one {@link MemoryBudget}: an image's need ({@link MemoryBudget#need},
 * from its header) is reserved before it is decoded and released once it is prepared. An image
 * that cannot fit even alone is refused with the budget's message; one that cannot fit beside
 * the images in progress waits until they are prepared. So two large images on two threads are
 * prepared one after the other instead of both passing a check of the same free memory.
 */
final class MemoryPool {
  private final MemoryBudget budget;
  private long reserved;
  private int holders;

  MemoryPool(MemoryBudget budget) {
    this.budget = budget;
  }

  /** Memory held for one image until {@link #close()} (idempotent). */
  final class Reservation implements AutoCloseable {
    private final long bytes;
    private boolean released;

    private Reservation(long bytes) {
      this.bytes = bytes;
    }

    @Override
    public void close() {
      synchronized (MemoryPool.this) {
        if (!released) {
          released = true;
          reserved -= bytes;
          holders--;
          MemoryPool.this.notifyAll();
        }
      }
    }
  }

  /**
   * Reserves {@code need} bytes for the image {@code name}, waiting while the images in progress
   * leave too little.
   *
   * @throws ImageException when the image cannot fit even alone (or the wait is interrupted)
   */
  synchronized Reservation reserve(String name, int width, int height, long need)
      throws ImageException {
    while (holders > 0 && need <= budget.ceiling() && need > budget.available() - reserved) {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ImageException(name, "interrupted while waiting for memory to decode it");
      }
    }
    if (holders == 0 || need > budget.ceiling()) {
      budget.check(name, width, height, need);
    }
    reserved += need;
    holders++;
    return new Reservation(need);
  }

  /** Bytes reserved now (tests). */
  synchronized long reserved() {
    return reserved;
  }
}
