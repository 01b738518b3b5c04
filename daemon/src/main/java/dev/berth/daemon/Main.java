package dev.berth.daemon;

import picocli.CommandLine;

/** {@code java -jar berth-proxy.jar}: parses the command line and runs the daemon. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    Logging.configure();
    Preload.start();
    System.exit(DaemonCommand.commandLine().execute(args));
  }
}
