package dev.berth.encryptor;

import dev.berth.runtime.CommandLineLogging;
import dev.berth.encryptor.cli.EncryptorCli;

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

  /** Before the first logger: Berth's log line and the libraries' levels (a {@code -D} of the user's wins). */
  static void configureLogging() {
    CommandLineLogging.configure(Main.class);
  }
}
