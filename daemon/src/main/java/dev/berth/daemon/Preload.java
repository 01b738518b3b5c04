package dev.berth.daemon;

import dev.berth.proxy.docker.DockerContainerIndex;
import org.slf4j.LoggerFactory;

/** One-time initialisations that the daemon's start needs later, made on a second thread while it parses its options. */
final class Preload {

  private Preload() {}

  /**
   * Starts it, unless {@code args} (or BERTH_LOCAL, as DaemonCommand reads them) ask for local mode,
   * which has no Docker client to prepare: its SSL context, suffix list and JSON readers would only
   * take the second core from the start.
   */
  static void start(String[] args) {
    boolean local = Boolean.parseBoolean(System.getenv("BERTH_LOCAL"));
    for (String arg : args) {
      if (arg.equals("--local") || arg.equalsIgnoreCase("--local=true")) {
        local = true;
      } else if (arg.equalsIgnoreCase("--local=false")) {
        local = false;
      }
    }
    if (local) {
      return;
    }
    Thread thread = new Thread(Preload::run, "berth-preload");
    thread.setDaemon(true);
    thread.start();
  }

  private static void run() {
    try {
      DockerContainerIndex.prepare();
    } catch (RuntimeException | LinkageError e) {
      // Only a head start: the start makes them itself, and reports what fails there.
      LoggerFactory.getLogger(Preload.class).debug("preload: {}", e.toString());
    }
  }
}
