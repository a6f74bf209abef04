package org.maclip.scoring;

/**
 * An encoded file's bytes, with bounds-checked reads of big- and little-endian integers and of
 * signatures: what {@link Orientation}, {@link Segments} and {@link ColourProfiles} read.
 */
record EncodedBytes(byte[] data) {
  int length() {
    return data.length;
  }

  int u8(int i) {
    return data[i] & 0xff;
  }

  int u16be(int i) {
    return u8(i) << 8 | u8(i + 1);
  }

  int u16(int i, boolean little) {
    return little ? u8(i) | u8(i + 1) << 8 : u16be(i);
  }

  int s32be(int i) {
    return u16be(i) << 16 | u16be(i + 2);
  }

  int s32le(int i) {
    return u8(i) | u8(i + 1) << 8 | u8(i + 2) << 16 | u8(i + 3) << 24;
  }

  int s32(int i, boolean little) {
    return little ? s32le(i) : s32be(i);
  }

  boolean startsWith(int at, byte[] prefix) {
    if (at < 0 || at + prefix.length > data.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (data[at + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
