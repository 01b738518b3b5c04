package dev.berth.daemon;

import picocli.CommandLine;

/** {@code java -jar berth-proxy.jar}: parses the command line and runs the daemon. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    // Netty's buffer allocators register JFR events on their first allocation, which initialises
    // JFR's metadata (~0.1 s of an event loop's time, on the way to ready) in a daemon that never
    // records. Before any Netty class is loaded; -Dio.netty.jfr.enabled=true on the command line wins.
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      System.setProperty("io.netty.jfr.enabled", "false");
    }
    Logging.configure();
    System.exit(DaemonCommand.commandLine().execute(args));
  }
}
