package dev.berth.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import software.amazon.awssdk.core.waiters.WaiterOverrideConfiguration;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.waiters.Ec2AsyncWaiter;

/**
 * The AWS SDK's own EC2 waiters (instance terminated, image available, ...) as every Berth
 * component uses them instead of polling by hand: scheduled on a Berth loop, never on a thread
 * pool the SDK would otherwise start, and bounded by a deadline rather than an attempt count.
 *
 * <pre>{@code
 * Ec2AsyncWaiter waiter = runtime.ec2Waiter();          // or Ec2Waiters.on(ec2, loop)
 * waiter.waitUntilInstanceTerminated(request, Ec2Waiters.until(Duration.ofMinutes(10), null));
 * }</pre>
 */
public final class Ec2Waiters {

  private Ec2Waiters() {}

  /**
   * The waiters of {@code ec2}, their delays scheduled on {@code loop}; they never block it.
   *
   * @param ec2 the client the waiters call
   * @param loop where the delays between attempts are scheduled, e.g. {@link BerthRuntime#eventLoop()}
   * @return the waiters
   */
  public static Ec2AsyncWaiter on(Ec2AsyncClient ec2, ScheduledExecutorService loop) {
    return Ec2AsyncWaiter.builder().client(Objects.requireNonNull(ec2, "ec2"))
        .scheduledExecutorService(Objects.requireNonNull(loop, "loop")).build();
  }

  /**
   * A waiter's limits: as many attempts as fit in {@code limit} (a large image copies for hours,
   * longer than the SDK's default attempt count), each {@code delay} apart, or with the SDK's
   * documented delay for that waiter (15 s for instances, images and snapshots) when it is null.
   *
   * @param limit how long to wait in all; zero or negative gives up at once
   * @param delay the pause between attempts, or {@code null} for the waiter's own
   * @return the override to pass to a {@code waitUntil...} call
   */
  public static WaiterOverrideConfiguration until(Duration limit, Duration delay) {
    WaiterOverrideConfiguration.Builder override = WaiterOverrideConfiguration.builder()
        .maxAttempts(Integer.MAX_VALUE)
        .waitTimeout(limit.isNegative() || limit.isZero() ? Duration.ofMillis(1) : limit);
    if (delay != null) {
      override.backoffStrategyV2(BackoffStrategy.fixedDelayWithoutJitter(delay));
    }
    return override.build();
  }
}
