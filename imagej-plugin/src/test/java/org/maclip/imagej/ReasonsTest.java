package org.maclip.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.EOFException;
import org.junit.jupiter.api.Test;

class ReasonsTest {
  @Test
  void exceptionClassNamesAreDroppedOrPutInWords() {
    assertEquals("Error reading PNG image data",
        Reasons.plain("javax.imageio.IIOException: Error reading PNG image data"));
    assertEquals("cannot open: end of file", Reasons.plain("cannot open: java.io.EOFException"));
    assertEquals("negative array size",
        Reasons.plain(new NegativeArraySizeException()));
    assertEquals("end of file", Reasons.plain(new EOFException()));
    assertEquals("Java heap space", Reasons.plain(new OutOfMemoryError("Java heap space")));
    assertEquals("a b", Reasons.plain("a\n  b"));
    assertEquals("File is not in a supported format",
        Reasons.plain("File is not in a supported format"));
  }
}
