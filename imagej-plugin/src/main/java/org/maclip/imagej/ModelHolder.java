package org.maclip.imagej;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Keeps one loaded model for later commands. A model is opened the first time its key (bundle
 * path and options) is asked for and reused while the key stays the same; asking with another key
 * (the settings changed) opens a new one and closes the old one as soon as no run still uses it.
 *
 * @param <K> what identifies a model (bundle path and options)
 * @param <M> the model
 */
final class ModelHolder<K, M extends AutoCloseable> {
  private final Function<K, M> opener;
  private Entry<K, M> current;
  private final List<Entry<K, M>> retired = new ArrayList<>();

  private static final class Entry<K, M> {
    final K key;
    final M model;
    int leases;

    Entry(K key, M model) {
      this.key = key;
      this.model = model;
    }
  }

  /** A model in use by one run; close it when the run ends. */
  final class Lease implements AutoCloseable {
    private final Entry<K, M> entry;
    private boolean closed;

    private Lease(Entry<K, M> entry) {
      this.entry = entry;
    }

    M model() {
      return entry.model;
    }

    @Override
    public void close() {
      synchronized (ModelHolder.this) {
        if (closed) {
          return;
        }
        closed = true;
        entry.leases--;
        if (entry != current && entry.leases == 0 && retired.remove(entry)) {
          closeQuietly(entry.model);
        }
      }
    }
  }

  ModelHolder(Function<K, M> opener) {
    this.opener = opener;
  }

  /** The model for {@code key}, opened if needed; the opener's exceptions pass through. */
  synchronized Lease acquire(K key) {
    if (current == null || !Objects.equals(current.key, key)) {
      M model = opener.apply(key);
      retire();
      current = new Entry<>(key, model);
    }
    current.leases++;
    return new Lease(current);
  }

  /** Lets go of the current model (closed now, or when its last run ends). */
  synchronized void release() {
    retire();
    current = null;
  }

  /** True while a model is kept. */
  synchronized boolean holding() {
    return current != null;
  }

  private void retire() {
    if (current == null) {
      return;
    }
    if (current.leases == 0) {
      closeQuietly(current.model);
    } else {
      retired.add(current);
    }
  }

  private static void closeQuietly(AutoCloseable model) {
    try {
      model.close();
    } catch (Exception e) {
      ij.IJ.log("MA-CLIP: closing the previous model failed: " + e.getMessage());
    }
  }
}
