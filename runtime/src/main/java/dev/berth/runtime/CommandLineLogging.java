package dev.berth.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The command-line jars' logging defaults for slf4j-simple. They live next to each {@code Main}
 * (e.g. {@code dev/berth/provisioner/simplelogger.properties}), not at the class path's root, where
 * they would configure the slf4j-simple of anyone who embeds the library.
 */
public final class CommandLineLogging {

  private CommandLineLogging() {}

  /**
   * Before the first logger: sets every property of {@code main}'s {@code simplelogger.properties}
   * that the user has not set with {@code -D}.
   *
   * @param main the command line's main class
   */
  public static void configure(Class<?> main) {
    Properties settings = new Properties();
    try (InputStream in = main.getResourceAsStream("simplelogger.properties")) {
      if (in != null) {
        settings.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    settings.forEach((key, value) -> {
      if (System.getProperty((String) key) == null) {
        System.setProperty((String) key, (String) value);
      }
    });
  }
}
