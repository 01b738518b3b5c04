package dev.berth.testing;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * Faults a test injects into an {@link StsEmulator}: failed requests, denied roles and latency.
 *
 * <p>All settings take effect for requests that arrive after the call, are safe to change while
 * requests are in flight, and stay until {@link #clear()} or {@link StsEmulator#reset()}.
 *
 * <pre>{@code
 * sts.faults()
 *     .next(2, StsEmulator.Fault.THROTTLING)      // the next two requests are throttled
 *     .denyRole("arn:aws:iam::\\d{12}:role/forbidden-.*")
 *     .delay(Duration.ofMillis(200));
 * }</pre>
 */
public final class StsFaults {

  private final ConcurrentLinkedQueue<StsEmulator.Fault> queued = new ConcurrentLinkedQueue<>();
  private final List<Pattern> deniedRoles = new CopyOnWriteArrayList<>();
  private volatile Duration delay = Duration.ZERO;
  private volatile StsEmulator.Fault down;

  StsFaults() {}

  /**
   * Fails the next {@code count} requests, of any action, with {@code fault}. Calls queue up in
   * order: {@code next(1, THROTTLING).next(1, UNAVAILABLE)} throttles one request and then
   * answers 503 to the following one.
   *
   * @param count how many requests fail; at least 1
   * @param fault how they fail
   * @return this, for chaining
   */
  public StsFaults next(int count, StsEmulator.Fault fault) {
    Objects.requireNonNull(fault, "fault");
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, got " + count);
    }
    for (int i = 0; i < count; i++) {
      queued.add(fault);
    }
    return this;
  }

  /**
   * Fails every request, of any action, with {@code fault} until {@link #clear()}: STS is down.
   *
   * @param fault how they fail
   * @return this, for chaining
   */
  public StsFaults down(StsEmulator.Fault fault) {
    this.down = Objects.requireNonNull(fault, "fault");
    return this;
  }

  /**
   * Answers {@code AccessDenied} (403) to every {@code AssumeRole} whose role ARN fully matches
   * {@code roleArnRegex}. Denied requests still count in {@link StsEmulator#assumeRoleCalls()}.
   *
   * @param roleArnRegex a {@link Pattern} that must match the whole role ARN
   * @return this, for chaining
   */
  public StsFaults denyRole(String roleArnRegex) {
    deniedRoles.add(Pattern.compile(Objects.requireNonNull(roleArnRegex, "roleArnRegex")));
    return this;
  }

  /**
   * Delays every response, successful or not, by {@code delay} without blocking a thread.
   * {@link Duration#ZERO} removes the delay.
   *
   * @param delay how long each response waits; not negative
   * @return this, for chaining
   */
  public StsFaults delay(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, got " + delay);
    }
    this.delay = delay;
    return this;
  }

  /** Removes every queued fault, denied role and delay, and brings STS back up. */
  public void clear() {
    down = null;
    queued.clear();
    deniedRoles.clear();
    delay = Duration.ZERO;
  }

  Optional<StsEmulator.Fault> poll() {
    StsEmulator.Fault always = down;
    return always != null ? Optional.of(always) : Optional.ofNullable(queued.poll());
  }

  boolean denies(String roleArn) {
    return deniedRoles.stream().anyMatch(p -> p.matcher(roleArn).matches());
  }

  Duration currentDelay() {
    return delay;
  }
}
