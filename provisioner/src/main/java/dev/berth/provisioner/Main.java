package dev.berth.provisioner;

import dev.berth.provisioner.cli.ProvisionerCli;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** {@code java -jar berth-provisioner.jar}: parses the command line and runs it. */
public final class Main {

  private Main() {}

  /**
   * Runs the command line and exits with its status.
   *
   * @param args the arguments, e.g. {@code commit spec.json}
   */
  public static void main(String[] args) {
    configureLogging();
    System.exit(ProvisionerCli.run(args));
  }

  /**
   * Before the first logger: Berth's log line and the libraries' levels for slf4j-simple, from
   * dev/berth/provisioner/simplelogger.properties (a {@code -D} of the user's wins).
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
