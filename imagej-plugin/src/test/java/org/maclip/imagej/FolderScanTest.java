package org.maclip.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.AccessDeniedException;
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
    assertEquals(List.of(file("a.png"), file("b.TIF")),
        FolderScan.list(dir, false, "tif png jpg"));
    assertEquals(List.of(file("a.png"), file("b.TIF"), file("sub/c.jpg")),
        FolderScan.list(dir, true, ".tif, *.png;jpg"));
  }

  private FolderScan.Entry file(String name) {
    return new FolderScan.Entry(dir.resolve(name), null);
  }

  /** Each odd entry gets its reason, the walk goes on, and nothing is opened. */
  @Test
  void oddEntriesAreNamedAndTheWalkGoesOn() throws Exception {
    Files.writeString(dir.resolve("a.png"), "x");
    Files.createDirectories(dir.resolve("folder.jpg"));
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("sub/c.png"), "x");
    Files.createSymbolicLink(dir.resolve("sub/up"), dir); // a loop through a link
    Files.createSymbolicLink(dir.resolve("gone.png"), dir.resolve("nothing-here.png"));
    Files.createSymbolicLink(dir.resolve("self.png"), dir.resolve("self.png"));
    Path fifo = dir.resolve("pipe.png");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertEquals(0, mkfifo.waitFor());
    List<FolderScan.Entry> entries = FolderScan.list(dir, true, "png jpg");
    assertEquals(List.of(
        file("a.png"),
        new FolderScan.Entry(dir.resolve("gone.png"),
            "a link to " + dir.resolve("nothing-here.png") + ", which does not exist"),
        new FolderScan.Entry(fifo,
            "not a regular file (a FIFO, socket or device), so it is not read"),
        new FolderScan.Entry(dir.resolve("self.png"), "a link to " + dir.resolve("self.png")
            + ", which leads back to itself (a loop of links)"),
        file("sub/c.png"),
        new FolderScan.Entry(dir.resolve("sub/up"),
            "a link to a folder that holds it (a loop), so it is not followed")), entries);
    // without subfolders, a folder is an entry of its own only when it is named like an image
    assertEquals(new FolderScan.Entry(dir.resolve("folder.jpg"), "a folder, not an image file"),
        FolderScan.list(dir, false, "png jpg").get(1));
  }

  /** A subfolder that cannot be listed (as root, no permission bit denies it: called directly). */
  @Test
  void anUnlistableSubfolderIsAnEntryAndTheWalkGoesOn() throws Exception {
    Path locked = Files.createDirectories(dir.resolve("locked"));
    FolderScan.Walk walk = new FolderScan.Walk(dir, Set.of("png"));
    walk.visitFileFailed(locked, new AccessDeniedException(locked.toString()));
    assertEquals(List.of(
        new FolderScan.Entry(locked, "cannot list this folder (permission denied)")), walk.entries);
    assertThrows(AccessDeniedException.class,
        () -> walk.visitFileFailed(dir, new AccessDeniedException(dir.toString())));
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
