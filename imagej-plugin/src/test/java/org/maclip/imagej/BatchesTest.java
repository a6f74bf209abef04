package org.maclip.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.maclip.scoring.ImageInput;
import org.maclip.scoring.RgbImage;
import org.maclip.scoring.Scorer;

class BatchesTest {
  private static List<ImageInput> inputs(int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> ImageInput.of("img" + i, new RgbImage(230, 230, noise(230 * 230 * 3, i))))
        .toList();
  }

  private static float[] noise(int size, long seed) {
    java.util.Random random = new java.util.Random(seed);
    float[] v = new float[size];
    for (int i = 0; i < size; i++) {
      v[i] = random.nextFloat();
    }
    return v;
  }

  @Test
  void everyResultArrivesInOrderAndEscStopsAtTheNextChunk() {
    try (Scorer scorer = Scorer.open(ImageJHarness.tinyBundle())) {
      List<ImageInput> all = inputs(Batches.CHUNK + 3);
      List<String> seen = new ArrayList<>();
      int done = Batches.score(scorer, all, (i, r) -> seen.add(i + ":" + r.name()), () -> false);
      assertEquals(all.size(), done);
      assertEquals(IntStream.range(0, all.size()).mapToObj(i -> i + ":img" + i).toList(), seen);

      List<String> cancelled = new ArrayList<>();
      int stopped = Batches.score(scorer, all, (i, r) -> cancelled.add(r.name()),
          () -> !cancelled.isEmpty()); // Esc pressed while the first chunk ran
      assertEquals(Batches.CHUNK, stopped);
      assertEquals(Batches.CHUNK, cancelled.size());

      List<String> none = new ArrayList<>();
      int never = Batches.score(scorer, all, (i, r) -> none.add(r.name()),
          () -> true); // Esc pressed before the first chunk
      assertEquals(0, never);
      assertEquals(List.of(), none);
    }
  }
}
