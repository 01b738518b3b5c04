package dev.berth.encryptor.cli;

import java.util.concurrent.Future;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns Ctrl-C (SIGINT) and SIGTERM into a cancel of the running command, so the command's own
 * thread can clean up and exit with 130, instead of the JVM exiting under it.
 *
 * <p>Design notes: {@code sun.misc.Signal} (module jdk.unsupported) rather than a shutdown hook:
 * a hook runs while the JVM is already exiting, in parallel with the thread that owns the EC2
 * client, and could only end with {@code Runtime.halt}. The previous handlers come back on close.
 */
final class Interrupts implements AutoCloseable {

  private static final String[] SIGNALS = {"INT", "TERM"};

  private final SignalHandler[] previous = new SignalHandler[SIGNALS.length];

  private Interrupts(Future<?> work) {
    for (int i = 0; i < SIGNALS.length; i++) {
      previous[i] = Signal.handle(new Signal(SIGNALS[i]), signal -> work.cancel(true));
    }
  }

  static Interrupts cancelling(Future<?> work) {
    return new Interrupts(work);
  }

  @Override
  public void close() {
    for (int i = 0; i < SIGNALS.length; i++) {
      Signal.handle(new Signal(SIGNALS[i]), previous[i]);
    }
  }
}
