package org.maclip.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code maclip --version}: the version Maven wrote into {@code version.properties}. */
final class Version implements IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {"maclip " + number()};
  }

  /** This build's version, e.g. {@code 0.1.0}. */
  static String number() {
    Properties properties = new Properties();
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      return "unknown";
    }
    return properties.getProperty("version", "unknown");
  }
}
