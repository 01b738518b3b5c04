package dev.berth.provisioner;

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
    System.exit(ProvisionerCli.run(args));
  }
}
