package dev.berth.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition that another process or thread will make true — a Docker event, an STS
 * call made in the background — and fails after a bound. It is how tests synchronise with work
 * they do not drive themselves; it never stands in for a fixed sleep.
 *
 * <pre>{@code
 * Await.until("the proxy prefetches the role", () -> sts.assumeRoleCalls(arn) == 1);
 * }</pre>
 */
public final class Await {

  private static final Duration LIMIT = Duration.ofSeconds(30);
  private static final long POLL_NANOS = Duration.ofMillis(10).toNanos();

  private Await() {}

  /** Returns once {@code condition} holds; throws {@link AssertionError} naming {@code what} after 30 s. */
  public static void until(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + LIMIT.toSeconds() + " s waiting until " + what);
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }
}
