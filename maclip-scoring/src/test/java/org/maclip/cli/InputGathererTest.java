package org.maclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class InputGathererTest {
  @TempDir Path dir;
  private final List<String> notes = new ArrayList<>();

  private Path file(String relative) throws IOException {
    Path path = dir.resolve(relative);
    Files.createDirectories(path.getParent());
    return Files.writeString(path, "x");
  }

  private List<String> gather(boolean recursive, Lister lister, String... args) {
    return new InputGatherer(recursive, lister, notes::add).gather(List.of(args)).items().stream()
        .map(FileItem::name)
        .map(name -> name.startsWith(dir.toString()) ? dir.relativize(Path.of(name)).toString()
            : name)
        .toList();
  }

  private List<String> gather(boolean recursive, String... args) {
    return gather(recursive, Lister.FILES, args);
  }

  @Test
  void folderWithoutRecursiveListsItsOwnImagesAndNotesTheRest() throws IOException {
    file("b.png");
    file("a.JPG");
    file("notes.txt");
    file("sub/c.png");
    assertEquals(List.of("a.JPG", "b.png"), gather(false, dir.toString()));
    assertEquals(1, notes.size());
    assertTrue(notes.get(0).contains("1 sub-folder(s) not searched (use -r"), notes.get(0));
    assertEquals(1, new InputGatherer(false, Lister.FILES, notes::add)
        .gather(List.of(dir.toString())).skippedFolders());
  }

  @Test
  void recursiveFindsEveryFolderSorted() throws IOException {
    file("b.png");
    file("sub/deeper/c.webp");
    file("sub/a.tif");
    assertEquals(List.of("b.png", "sub/a.tif", "sub/deeper/c.webp"), gather(true, dir.toString()));
    assertEquals(List.of(), notes);
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void recursiveWalkEndsOnLinkLoopsAndFindsEachFileOnce() throws IOException {
    file("a.png");
    file("sub/b.png");
    Files.createSymbolicLink(dir.resolve("sub/up"), dir);
    Files.createSymbolicLink(dir.resolve("sub/again"), dir.resolve("sub"));
    assertEquals(List.of("a.png", "sub/b.png"), gather(true, dir.toString()));
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void doubleStarPatternEndsOnTwoLinkLoopsAndFindsEachFileOnce() throws IOException {
    file("a.png");
    file("x/b.png");
    file("y/c.png");
    Files.createSymbolicLink(dir.resolve("x/loop"), dir);
    Files.createSymbolicLink(dir.resolve("y/loop"), dir.resolve("x"));
    List<String> found = gather(false, dir + "/**/*.png");
    assertEquals(3, found.size(), found.toString());
    assertEquals(List.of("a.png", "x/b.png", "y/c.png"), found);
  }

  @Test
  void doubleStarMatchesNoFolderToo() throws IOException {
    file("a.png");
    file("s/t/b.png");
    file("s/t/b.txt");
    assertEquals(List.of("a.png", "s/t/b.png"), gather(false, dir + "/**/*.png"));
    assertEquals(List.of("s/t/b.png"), gather(false, dir + "/s/**"));
    assertEquals(List.of("s/t/b.png"), gather(false, dir + "/*/*/*.png"));
  }

  @Test
  void wildcardsSkipHiddenNamesUnlessThePatternStartsWithADot() throws IOException {
    file("a.png");
    file(".hidden.png");
    file(".git/c.png");
    assertEquals(List.of("a.png"), gather(false, dir + "/*.png"));
    assertEquals(List.of("a.png"), gather(false, dir + "/**/*.png"));
    assertEquals(List.of(".hidden.png"), gather(false, dir + "/.*.png"));
  }

  @Test
  void characterClassesAndQuestionMarks() throws IOException {
    file("a1.png");
    file("b2.png");
    file("c3.png");
    assertEquals(List.of("a1.png", "b2.png"), gather(false, dir + "/[ab]?.png"));
    assertEquals(List.of("c3.png"), gather(false, dir + "/[!ab]*.png"));
    assertEquals(List.of("a1.png", "b2.png"), gather(false, dir + "/[a-b]*.png"));
  }

  @Test
  void patternMatchingNothingIsAnError() {
    CliException error = assertThrows(CliException.class, () -> gather(false, dir + "/*.png"));
    assertTrue(error.getMessage().endsWith("no image files match this pattern"));
  }

  @Test
  void listFilesTakeRelativePathsFromTheirFolder() throws IOException {
    Path a = file("imgs/a.png");
    file("imgs/b.png");
    Path list = Files.writeString(dir.resolve("imgs/list.txt"),
        "# a comment\n\nb.png\n  " + a + "  \nmissing.png\n");
    assertEquals(List.of("imgs/b.png", "imgs/a.png", "imgs/missing.png"),
        gather(false, list.toString()));
  }

  @Test
  void sameFileNamedTwiceIsScoredOnce() throws IOException {
    Path a = file("real/a.png");
    Files.createSymbolicLink(dir.resolve("link"), dir.resolve("real"));
    Path relative = Path.of("").toAbsolutePath().relativize(a);
    List<String> found = gather(false, a.toString(), relative.toString(),
        dir + "/link/a.png", dir + "/real/../real/a.png", dir + "/real");
    assertEquals(List.of("real/a.png"), found);
  }

  @Test
  void missingFilesAreKeptForScoringToReport() {
    assertEquals(List.of("gone.png"), gather(false, dir + "/gone.png"));
  }

  @Test
  void unreadableFolderNamedExplicitlyIsAnError() throws IOException {
    file("locked/a.png");
    Path locked = dir.resolve("locked");
    Lister denying = folder -> {
      if (folder.equals(locked)) {
        throw new AccessDeniedException(folder.toString());
      }
      return Lister.FILES.list(folder);
    };
    CliException error =
        assertThrows(CliException.class, () -> gather(true, denying, locked.toString()));
    assertEquals("cannot read folder " + locked + ": permission denied",
        error.getMessage());

    file("b.png");
    assertEquals(List.of("b.png"), gather(true, denying, dir.toString()));
    assertEquals(List.of("skipping folder " + locked + ": permission denied"),
        notes);
  }
}
