package dev.berth.encryptor;

import dev.berth.encryptor.cli.EncryptorCli;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** {@code java -jar berth-encryptor.jar}: parses the command line and runs it. */
public final class Main {

  private Main() {}

  /**
   * Runs the command line and exits with its status.
   *
   * @param args the arguments, e.g. {@code encrypt --region us-west-2 ami-0123456789abcdef0}
   */
  public static void main(String[] args) {
    for (String arg : args) {
      if (arg.equals("-v") || arg.equals("--verbose")) {
        // slf4j-simple reads its level once, when the first logger is made.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
      }
    }
    configureLogging();
    System.exit(EncryptorCli.run(args));
  }

  /**
   * Before the first logger: Berth's log line and the libraries' levels for slf4j-simple, from
   * dev/berth/encryptor/simplelogger.properties (a {@code -D} of the user's wins).
   */
  static void configureLogging() {
    Properties settings = new Properties();
    try (InputStream in = Main.class.getResourceAsStream("simplelogger.properties")) {
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
