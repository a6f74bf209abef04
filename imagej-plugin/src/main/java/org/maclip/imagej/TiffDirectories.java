package org.maclip.imagej;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.maclip.scoring.ImageException;

/**
 * The chain of a TIFF's directories (IFDs), walked as ImageJ's TIFF reader walks it, but with a
 * bound: ImageJ's {@code TiffDecoder.getTiffInfo} follows each directory's next-directory offset
 * until it reads 0, so a directory that points back to itself or to an earlier one makes it read
 * forever (at full CPU, and in Score Folder the whole run waits). Walked first, such a file is
 * refused in a few reads. Each directory is read only for its entry count and its next offset.
 */
final class TiffDirectories {
  /** More directories than any stack ImageJ could open; a walk stops there. */
  static final int MOST = 1_000_000;

  private TiffDirectories() {}

  /**
   * Refuses a classic TIFF (magic 42) whose directory chain loops or has more than {@link #MOST}
   * directories; files that are not such a TIFF, or whose chain ends (at 0 or past the end of the
   * file, where ImageJ stops too), pass.
   *
   * @param name the file's name in the refusal
   */
  static void check(Path path, String name) throws ImageException {
    try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "r")) {
      long length = file.length();
      if (length < 8) {
        return;
      }
      int order = file.readUnsignedShort();
      boolean little = order == 0x4949;
      if (!little && order != 0x4d4d || u16(file, little) != 42) {
        return; // not a classic TIFF: ImageJ's opener says what it is
      }
      Set<Long> seen = new HashSet<>();
      long offset = u32(file, little);
      while (offset > 0 && offset + 2 <= length) {
        if (!seen.add(offset)) {
          throw new ImageException(name, "a broken TIFF: its directory at byte " + offset
              + " comes again in the chain of directories (a loop, which ImageJ's reader would"
              + " follow forever)");
        }
        if (seen.size() > MOST) {
          throw new ImageException(name, "a broken TIFF: more than " + MOST + " directories");
        }
        file.seek(offset);
        // ImageJ reads the next offset after an empty directory's count too
        long next = offset + 2 + 12L * u16(file, little);
        if (next + 4 > length) {
          return;
        }
        file.seek(next);
        offset = u32(file, little);
      }
    } catch (IOException e) {
      // unreadable: ImageJ's opener gives the reason
    }
  }

  private static int u16(RandomAccessFile file, boolean little) throws IOException {
    int v = file.readUnsignedShort();
    return little ? Short.toUnsignedInt(Short.reverseBytes((short) v)) : v;
  }

  private static long u32(RandomAccessFile file, boolean little) throws IOException {
    int v = file.readInt();
    return Integer.toUnsignedLong(little ? Integer.reverseBytes(v) : v);
  }
}
