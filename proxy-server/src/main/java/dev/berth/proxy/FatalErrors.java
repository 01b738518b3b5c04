package dev.berth.proxy;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import reactor.core.publisher.Hooks;
import reactor.util.Logger;
import reactor.util.Loggers;

/*
 * Design notes. After an OutOfMemoryError (or a StackOverflowError, a LinkageError...) nothing in the
 * process can be trusted: a loop thread may be gone, a lock held, a half-built object referenced. The
 * daemon observed in that state kept its port open, accepted connections, answered nothing and
 * ignored SIGTERM. So the daemon ends itself at the first such error, wherever it surfaces, and lets
 * its supervisor start a fresh one; with --iptables the rules stay in place meanwhile, so containers
 * get "connection refused", never the host's credentials (fail closed).
 *
 * Netty and Reactor catch Throwable almost everywhere, so an error rarely reaches the top of a
 * thread: it surfaces as an uncaught exception (a loop thread that died), as an exceptionCaught
 * event in a pipeline, or as an error Reactor had nowhere to deliver. Each of those is watched.
 * The process halts rather than exits: shutdown hooks may need the memory, locks or threads that are
 * gone, and would remove the iptables rules.
 *
 * With the heap full, even running code for the first time can fail (measured: the JVM allocates
 * when it links a call site, and the handler died at its first instruction). So whoever sees the
 * error only does what was already run once at start (a volatile write and an unpark); a thread
 * started with the daemon, parked until then, lets go of a reserve of memory first and then says why
 * and halts.
 */
public final class FatalErrors {

  /** The status -XX:+ExitOnOutOfMemoryError exits with. */
  static final int EXIT_STATUS = 3;

  private static final Logger log = Loggers.getLogger(FatalErrors.class);
  private static final Exception WARM_UP = new Exception("not fatal: links the reporting path at start");
  private static volatile byte[] reserve;
  private static volatile Throwable fatal;
  private static volatile Thread halter;

  private FatalErrors() {}

  /** Whether {@code error}, or what caused it, means the JVM can no longer be trusted. */
  static boolean isFatal(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof VirtualMachineError || cause instanceof LinkageError) {
        return true;
      }
    }
    return false;
  }

  /**
   * For the daemon only (process-wide): from now on a fatal error that a thread did not catch, or that
   * Reactor had no subscriber left to deliver to, and anything that ends an event loop's thread, halts
   * the process; so does {@link #report} of a fatal error.
   */
  public static synchronized void haltOnFatalErrors() {
    if (halter != null) {
      return;
    }
    reserve = new byte[512 * 1024];
    Thread thread = new Thread(FatalErrors::awaitFatal, "berth-fatal-errors");
    thread.setDaemon(true);
    thread.start();
    halter = thread;
    report(WARM_UP);
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler(new Uncaught(previous));
    Hooks.onErrorDropped(error -> {
      if (!report(error)) {
        log.error("Operator called default onErrorDropped", error);
      }
    });
  }

  /**
   * Ends the process when {@code error} is fatal and {@link #haltOnFatalErrors} was called; returns
   * whether it was fatal. Safe with the heap full: it allocates nothing.
   */
  public static boolean report(Throwable error) {
    if (!isFatal(error)) {
      return false;
    }
    halt(error);
    return true;
  }

  /** Has the process halted, for {@code reason}, by the thread {@link #haltOnFatalErrors} started. */
  private static void halt(Throwable reason) {
    if (fatal == null) {
      fatal = reason;
    }
    LockSupport.unpark(halter);
  }

  private static void awaitFatal() {
    while (fatal == null) {
      LockSupport.park(FatalErrors.class);
    }
    reserve = null;
    try {
      System.err.println("berth-proxy: fatal error (" + fatal + "); exiting (status " + EXIT_STATUS
          + ") without running shutdown hooks: restart the daemon");
      System.err.flush();
    } catch (Throwable ignored) {
      // Nothing more to say: halting matters more.
    } finally {
      Runtime.getRuntime().halt(EXIT_STATUS);
    }
  }

  /** The daemon's handler of exceptions that end a thread. */
  private static final class Uncaught implements Thread.UncaughtExceptionHandler {
    private final Thread.UncaughtExceptionHandler previous;

    Uncaught(Thread.UncaughtExceptionHandler previous) {
      this.previous = previous;
      endsTheProcess(Thread.currentThread(), WARM_UP);
    }

    @Override
    public void uncaughtException(Thread thread, Throwable error) {
      if (endsTheProcess(thread, error)) {
        return;
      }
      if (previous != null) {
        previous.uncaughtException(thread, error);
      } else {
        log.error("uncaught exception in thread " + thread.getName(), error);
      }
    }

    /**
     * An event loop that died leaves the proxy half-alive, whatever killed it: under memory pressure
     * that is often not the OutOfMemoryError itself but what failed after it.
     */
    private static boolean endsTheProcess(Thread thread, Throwable error) {
      if (report(error)) {
        return true;
      }
      if (thread instanceof FastThreadLocalThread && error != WARM_UP) {
        halt(error);
        return true;
      }
      return false;
    }
  }

  /**
   * A pipeline handler passing fatal errors that reach it to {@code action}, and everything else on:
   * on a server channel it sees what failed in accepting, on a client connection what failed in
   * reading or decoding.
   */
  static ChannelInboundHandlerAdapter watcher(Consumer<Throwable> action) {
    return new Watcher(action);
  }

  @Sharable
  private static final class Watcher extends ChannelInboundHandlerAdapter {
    private final Consumer<Throwable> action;

    Watcher(Consumer<Throwable> action) {
      this.action = action;
      isFatal(WARM_UP);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (isFatal(cause)) {
        action.accept(cause);
      }
      ctx.fireExceptionCaught(cause);
    }
  }
}
