package dev.berth.provisioner;

import dev.berth.runtime.CommandLineLogging;
import dev.berth.provisioner.cli.ProvisionerCli;

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

  /** Before the first logger: Berth's log line and the libraries' levels (a {@code -D} of the user's wins). */
  static void configureLogging() {
    CommandLineLogging.configure(Main.class);
  }
}
