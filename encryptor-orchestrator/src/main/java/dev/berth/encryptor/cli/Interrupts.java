package dev.berth.encryptor.cli;

import dev.berth.encryptor.CleanupReport;
import dev.berth.encryptor.Encryptor;
import dev.berth.encryptor.Session;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
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

  private static final Logger LOG = LoggerFactory.getLogger("berth-encryptor");
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

  /**
   * Runs {@code run}, a journaled run of {@code session}, and hands its result to {@code result}
   * (answering 0); on Ctrl-C or SIGTERM cancels it, cleans the session up and answers 130.
   */
  static <T> int run(Encryptor encryptor, Session session, Mono<T> run, Consumer<T> result) throws Exception {
    LOG.info("session {} (if this process is killed: berth-encryptor cleanup {})", session.id(), session.id());
    CompletableFuture<T> future = run.toFuture();
    try (Interrupts interrupts = cancelling(future)) {
      result.accept(future.get());
      return 0;
    } catch (CancellationException e) {
      LOG.warn("interrupted; cleaning up session {}", session.id());
      CleanupReport report = encryptor.cleanup(session.id()).block();
      report.leftovers().forEach(l -> LOG.warn("left behind: {} ({})", l.id(), l.reason()));
      return EncryptorCli.INTERRUPTED;
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  @Override
  public void close() {
    for (int i = 0; i < SIGNALS.length; i++) {
      Signal.handle(new Signal(SIGNALS[i]), previous[i]);
    }
  }
}
