package org.maclip.imagej;

import ij.IJ;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Fiji's own folder (Fiji.app), where the Updater installs plugins/, jars/, lib/ and models/. */
final class FijiFolder {
  private FijiFolder() {}

  /**
   * The folder above {@code plugins/} (ImageJ's {@code plugins.dir}, as Fiji's launcher sets it),
   * else ImageJ's own folder, else the working folder.
   */
  static Path root() {
    String plugins = IJ.getDirectory("plugins");
    if (plugins != null) {
      Path parent = Paths.get(plugins).toAbsolutePath().getParent();
      if (parent != null) {
        return parent;
      }
    }
    String imagej = IJ.getDirectory("imagej");
    return Paths.get(imagej != null ? imagej : System.getProperty("user.dir")).toAbsolutePath();
  }
}
