package org.maclip.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maclip.scoring.ImageFormats;

class FolderScanTest {
  @TempDir Path dir;

  @Test
  void imagesByExtensionSortedWithOrWithoutSubfolders() throws Exception {
    for (String name : new String[] {"b.TIF", "a.png", "notes.txt", ".hidden.png", "sub/c.jpg"}) {
      Path p = dir.resolve(name);
      Files.createDirectories(p.getParent());
      Files.writeString(p, "x");
    }
    assertEquals(List.of(dir.resolve("a.png"), dir.resolve("b.TIF")),
        FolderScan.list(dir, false, "tif png jpg"));
    assertEquals(List.of(dir.resolve("a.png"), dir.resolve("b.TIF"), dir.resolve("sub/c.jpg")),
        FolderScan.list(dir, true, ".tif, *.png;jpg"));
  }

  @Test
  void theDefaultExtensionsAreTheFormatsTheLibraryReads() {
    assertEquals(
        ImageFormats.SUFFIXES.stream().map(s -> s.substring(1)).collect(Collectors.toSet()),
        FolderScan.parseExtensions(FolderScan.DEFAULT_EXTENSIONS));
    assertTrue(FolderScan.parseExtensions(FolderScan.DEFAULT_EXTENSIONS).contains("webp"));
  }

  @Test
  void extensionsAreCleanedUp() {
    assertEquals(Set.of("tif", "png"), FolderScan.parseExtensions(" *.TIF,.png "));
  }

  @Test
  void aMissingFolderIsNamed() {
    UserError e = assertThrows(UserError.class,
        () -> FolderScan.list(dir.resolve("nope"), false, "png"));
    assertEquals("folder " + dir.resolve("nope") + " does not exist", e.getMessage());
  }
}
