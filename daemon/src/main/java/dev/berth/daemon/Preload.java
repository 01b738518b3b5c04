package dev.berth.daemon;

import dev.berth.proxy.docker.DockerContainerIndex;
import org.slf4j.LoggerFactory;

/** One-time initialisations that the daemon's start needs later, made on a second thread while it parses its options. */
final class Preload {

  private Preload() {}

  static void start() {
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
