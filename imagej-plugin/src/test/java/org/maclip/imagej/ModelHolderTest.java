package org.maclip.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelHolderTest {
  static final class Fake implements AutoCloseable {
    final String key;
    boolean closed;

    Fake(String key) {
      this.key = key;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private final List<Fake> opened = new ArrayList<>();
  private final ModelHolder<String, Fake> holder = new ModelHolder<>(key -> {
    Fake f = new Fake(key);
    opened.add(f);
    return f;
  });

  @Test
  void theSameKeyReusesTheLoadedModel() {
    Fake first;
    try (var lease = holder.acquire("a")) {
      first = lease.model();
    }
    try (var lease = holder.acquire("a")) {
      assertSame(first, lease.model());
    }
    assertEquals(1, opened.size());
    assertFalse(first.closed);
  }

  @Test
  void anotherKeyClosesTheOldModelAtOnceWhenIdle() {
    holder.acquire("a").close();
    try (var lease = holder.acquire("b")) {
      assertEquals("b", lease.model().key);
    }
    assertTrue(opened.get(0).closed);
    assertFalse(opened.get(1).closed);
  }

  @Test
  void aModelInUseIsClosedOnlyWhenItsRunEnds() {
    var running = holder.acquire("a");
    var other = holder.acquire("b");
    assertNotSame(running.model(), other.model());
    assertFalse(opened.get(0).closed);
    running.close();
    running.close(); // twice is harmless
    assertTrue(opened.get(0).closed);
    other.close();
    assertFalse(opened.get(1).closed);
  }

  @Test
  void releaseUnloads() {
    holder.acquire("a").close();
    holder.release();
    assertTrue(opened.get(0).closed);
    assertFalse(holder.holding());
  }
}
