package org.maclip.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The download's copy: the network's failures and the disk's are told apart, in one line. */
class DownloadTest {
  private static final String ADDRESS = "https://example.org/m.zip";
  private static final Download.Progress QUIET = new Download.Progress() {
    @Override
    public void update(long done, long total) {}

    @Override
    public boolean cancelled() {
      return false;
    }
  };

  private static final Download.Limit ROOM = new Download.Limit(Long.MAX_VALUE, "no limit");

  @TempDir Path dir;

  @Test
  void aWholeBodyIsSaved() throws Exception {
    Path file = dir.resolve("m.zip");
    Download.copy(
        ADDRESS, new ByteArrayInputStream(new byte[300_000]), 300_000, file, QUIET, ROOM);
    assertEquals(300_000, Files.size(file));
  }

  @Test
  void aBodyShorterThanItsContentLengthIsRefused() {
    UserError e = assertThrows(UserError.class, () -> Download.copy(ADDRESS,
        new ByteArrayInputStream(new byte[1_000_000]), 2_500_000, dir.resolve("m.zip"), QUIET,
        ROOM));
    assertEquals("the download of " + ADDRESS + " was cut short after 1.0 of 2.5 MB (the"
        + " connection closed early); nothing was installed: try again", e.getMessage());
  }

  @Test
  void aConnectionThatFailsMidwayIsCutShort() {
    InputStream failing = new InputStream() { // 70,000 bytes, then every read fails
      private int left = 70_000;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0];
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (left <= 0) {
          throw new IOException("Connection reset");
        }
        int n = Math.min(len, left);
        left -= n;
        return n;
      }
    };
    UserError e = assertThrows(UserError.class,
        () -> Download.copy(ADDRESS, failing, -1, dir.resolve("m.zip"), QUIET, ROOM));
    assertEquals("the download of " + ADDRESS + " was cut short after 0.1 MB (Connection reset);"
        + " nothing was installed: try again", e.getMessage());
  }

  @Test
  void aFullDiskSaysSo() {
    Path full = Paths.get("/dev/full"); // Linux: every write fails with ENOSPC
    Assumptions.assumeTrue(Files.isWritable(full), "no /dev/full here");
    UserError e = assertThrows(UserError.class, () -> Download.copy(ADDRESS,
        new ByteArrayInputStream(new byte[300_000]), 300_000, full, QUIET, ROOM));
    assertEquals("cannot save the download of " + ADDRESS + " in /dev: No space left on device",
        e.getMessage());
  }

  @Test
  void webAddressesAreHttpAndHttpsOnly() {
    assertTrue(Download.isWebAddress("HTTPS://example.org/m.zip"));
    assertTrue(Download.isWebAddress(" http://127.0.0.1:8080/m.zip"));
    assertEquals(false, Download.isWebAddress("ftp://example.org/m.zip"));
    assertEquals(false, Download.isWebAddress("/data/http://x"));
  }
}
