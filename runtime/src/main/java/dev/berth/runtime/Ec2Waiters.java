package dev.berth.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.core.waiters.WaiterOverrideConfiguration;
import software.amazon.awssdk.core.waiters.WaiterResponse;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.waiters.Ec2AsyncWaiter;

/**
 * The AWS SDK's own EC2 waiters (instance terminated, image available, ...) as every Berth
 * component uses them instead of polling by hand: scheduled on a Berth loop, never on a thread
 * pool the SDK would otherwise start, bounded by a deadline rather than an attempt count, and
 * stopped when their {@link Mono} is cancelled.
 *
 * <pre>{@code
 * Mono<WaiterResponse<DescribeInstancesResponse>> gone = Ec2Waiters.await(ec2, loop,
 *     waiter -> waiter.waitUntilInstanceTerminated(request, Ec2Waiters.until(Duration.ofMinutes(10), null)));
 * }</pre>
 */
public final class Ec2Waiters {

  private Ec2Waiters() {}

  /**
   * One wait of {@code ec2}'s waiters, its delays scheduled on {@code loop} (they never block it),
   * started once the host's credentials are in memory ({@link HostCredentials#readyFor}).
   * Cancelling the returned {@link Mono} stops the polling: the SDK's waiter does not look at its
   * own future between attempts, so cancelling that alone would leave the next attempt scheduled,
   * and it would call EC2 (and schedule another) until the wait's limit.
   *
   * @param ec2 the client the waiter calls
   * @param loop where the delays between attempts are scheduled, e.g. {@link BerthRuntime#eventLoop()}
   * @param wait starts the wait on the waiter it is given, e.g. {@code w -> w.waitUntilImageAvailable(request, until(limit, null))}
   * @param <T> the response the waiter polls with
   * @return the waiter's response, on subscription; cancel it to stop waiting
   */
  public static <T> Mono<WaiterResponse<T>> await(Ec2AsyncClient ec2, ScheduledExecutorService loop,
      Function<Ec2AsyncWaiter, CompletableFuture<WaiterResponse<T>>> wait) {
    Objects.requireNonNull(ec2, "ec2");
    Objects.requireNonNull(loop, "loop");
    return HostCredentials.readyFor(ec2).then(Mono.defer(() -> {
      StoppableSchedule schedule = new StoppableSchedule(loop);
      Ec2AsyncWaiter waiter = Ec2AsyncWaiter.builder().client(ec2).scheduledExecutorService(schedule).build();
      return Mono.fromFuture(wait.apply(waiter), true).doFinally(signal -> schedule.shutdownNow());
    }));
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

  /**
   * One wait's view of the loop: the SDK's waiter schedules its next attempt here, one at a time;
   * once shut down, a pending attempt is cancelled and none runs. The loop itself is never shut down.
   */
  static final class StoppableSchedule extends AbstractExecutorService implements ScheduledExecutorService {
    private final ScheduledExecutorService loop;
    private final AtomicReference<ScheduledFuture<?>> next = new AtomicReference<>();
    private volatile boolean stopped;

    StoppableSchedule(ScheduledExecutorService loop) {
      this.loop = loop;
    }

    private Runnable unlessStopped(Runnable task) {
      return () -> {
        if (!stopped) {
          task.run();
        }
      };
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
      ScheduledFuture<?> attempt = loop.schedule(unlessStopped(task), delay, unit);
      next.set(attempt);
      if (stopped) {
        attempt.cancel(false);
      }
      return attempt;
    }

    @Override
    public void execute(Runnable task) {
      loop.execute(unlessStopped(task));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> task, long delay, TimeUnit unit) {
      throw new UnsupportedOperationException("a waiter schedules one attempt at a time, as a Runnable");
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, long initialDelay, long period, TimeUnit unit) {
      throw new UnsupportedOperationException("a waiter schedules one attempt at a time");
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, long initialDelay, long delay, TimeUnit unit) {
      throw new UnsupportedOperationException("a waiter schedules one attempt at a time");
    }

    @Override
    public void shutdown() {
      shutdownNow();
    }

    @Override
    public List<Runnable> shutdownNow() {
      stopped = true;
      ScheduledFuture<?> attempt = next.get();
      if (attempt != null) {
        attempt.cancel(false);
      }
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return stopped;
    }

    @Override
    public boolean isTerminated() {
      return stopped;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return stopped;
    }
  }
}
