package org.maclip.function.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The real messages are checked end to end in MonitoringTest; these are their shapes. */
class FailureCauseTest {

  @Test
  void eachErrorShapeHasItsCause() {
    assertEquals(FailureCause.TOO_LARGE, FailureCause.ofError("the object is 620343 bytes, over"
        + " the limit of 400000 bytes (maclip.max-object-bytes)"));
    assertEquals(FailureCause.TOO_MANY_PIXELS, FailureCause.ofError("600x400 = 240000 pixels is"
        + " over the limit of 200000 (decompression-bomb guard); raise it with maclip.max-pixels"));
    assertEquals(FailureCause.NOT_ENOUGH_MEMORY, FailureCause.ofError("120x440 needs 6 MB to"
        + " decode and prepare, the function has 4 MB free; raise ..."));
    assertEquals(FailureCause.NOT_ENOUGH_MEMORY,
        FailureCause.ofError("s3://b/k: not enough memory to decode the image"));
    assertEquals(FailureCause.UNREADABLE,
        FailureCause.ofError("not an image maclip can read (unknown or corrupt format)"));
    assertEquals(FailureCause.UNREADABLE, FailureCause.ofError("the object is empty (0 bytes)"));
  }

  @Test
  void causeNamesAreFewDistinctAndLowerCase() {
    Set<String> ids = Arrays.stream(FailureCause.values()).map(FailureCause::id)
        .collect(Collectors.toSet());
    assertEquals(FailureCause.values().length, ids.size());
    ids.forEach(id -> assertEquals(id, id.toLowerCase(java.util.Locale.ROOT)));
  }
}
