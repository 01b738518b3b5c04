package dev.berth.iptables.cli;

/** {@code java -jar berth-iptables.jar}: parses the command line and runs the subcommand. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(BerthIptablesCommand.commandLine(Parts.real()).execute(args));
  }
}
