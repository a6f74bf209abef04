package org.maclip.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class SourceReaderTest {
  @Test
  void emptyAndOversizedObjectsAreRefusedBeforeTheyAreRead() {
    assertEquals("the object is empty (0 bytes)", SourceReader.refusal(0, 10));
    assertEquals("the object is 11 bytes, over the limit of 10 bytes (maclip.max-object-bytes)",
        SourceReader.refusal(11, 10));
    assertNull(SourceReader.refusal(10, 10));
    assertNull(SourceReader.refusal(1, 10));
  }

  @Test
  void eTagsLoseTheirQuotes() {
    assertEquals("abc", SourceReader.unquote("\"abc\""));
    assertEquals("abc-2", SourceReader.unquote("abc-2"));
    assertNull(SourceReader.unquote(null));
  }
}
