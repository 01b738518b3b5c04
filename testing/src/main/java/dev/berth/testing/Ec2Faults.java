package dev.berth.testing;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;

/**
 * Faults a test injects into an {@link Ec2Emulator}: failed calls, slow answers and a capacity limit.
 *
 * <p>Faults are queued per action and consumed one call at a time, so a test says exactly which
 * calls fail; calls of other actions are not affected. {@link #ANY_ACTION} queues a fault for
 * whichever call comes next. A failed call still counts in {@link Ec2Emulator#calls(String)}, and
 * has no effect: a {@code RunInstances} that failed launched nothing and left its client token unused.
 *
 * <pre>{@code
 * ec2.faults()
 *     .fail("RunInstances", 3, Ec2Emulator.Fault.REQUEST_LIMIT_EXCEEDED)   // the next 3 launches are throttled
 *     .fail("TerminateInstances", 1, 1, Ec2Emulator.Fault.INTERNAL_ERROR)  // the 2nd terminate fails
 *     .delay("RunInstances", 1, Duration.ofSeconds(5))                   // done at once, answered 5 s later
 *     .capacity(10);                                                       // at most 10 live instances
 * }</pre>
 */
public final class Ec2Faults {

  /** Matches a call of any action: {@value}. */
  public static final String ANY_ACTION = "*";

  private final Map<String, Queue<Optional<Ec2Emulator.Fault>>> failures = new HashMap<>();
  private final Map<String, Queue<Duration>> delays = new HashMap<>();
  private int capacity = Integer.MAX_VALUE;

  Ec2Faults() {}

  /**
   * Fails the next {@code count} calls of {@code action} with {@code fault}.
   *
   * @param action an action name such as {@code RunInstances}, or {@link #ANY_ACTION}
   * @param count how many calls fail; at least 1
   * @param fault how they fail
   * @return this, for chaining
   */
  public Ec2Faults fail(String action, int count, Ec2Emulator.Fault fault) {
    return fail(action, 0, count, fault);
  }

  /**
   * Lets {@code skip} calls of {@code action} through, then fails the following {@code count}.
   * Calls queue up behind faults already queued for the same action.
   *
   * @param action an action name such as {@code TerminateInstances}, or {@link #ANY_ACTION}
   * @param skip how many calls succeed first; not negative
   * @param count how many calls fail after them; at least 1
   * @param fault how they fail
   * @return this, for chaining
   */
  public synchronized Ec2Faults fail(String action, int skip, int count, Ec2Emulator.Fault fault) {
    Objects.requireNonNull(fault, "fault");
    checkAction(action);
    if (skip < 0) {
      throw new IllegalArgumentException("skip must not be negative, got " + skip);
    }
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, got " + count);
    }
    Queue<Optional<Ec2Emulator.Fault>> queue = failures.computeIfAbsent(action, a -> new ArrayDeque<>());
    for (int i = 0; i < skip; i++) {
      queue.add(Optional.empty());
    }
    for (int i = 0; i < count; i++) {
      queue.add(Optional.of(fault));
    }
    return this;
  }

  /**
   * Answers the next {@code count} calls of {@code action} only after {@code delay}, without
   * blocking a thread. The call takes effect at once: a delayed {@code RunInstances} has launched
   * its instances even if the client gives up waiting, which is how a client meets a timeout.
   *
   * @param action an action name, or {@link #ANY_ACTION}
   * @param count how many calls are delayed; at least 1
   * @param delay how long each answer waits; positive
   * @return this, for chaining
   */
  public synchronized Ec2Faults delay(String action, int count, Duration delay) {
    Objects.requireNonNull(delay, "delay");
    checkAction(action);
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, got " + count);
    }
    if (delay.isNegative() || delay.isZero()) {
      throw new IllegalArgumentException("delay must be positive, got " + delay);
    }
    Queue<Duration> queue = delays.computeIfAbsent(action, a -> new ArrayDeque<>());
    for (int i = 0; i < count; i++) {
      queue.add(delay);
    }
    return this;
  }

  /**
   * Limits how many instances may be live (pending or running) at once. A {@code RunInstances}
   * that cannot get its {@code MinCount} fails with {@code InsufficientInstanceCapacity} (500);
   * one that can launches as many as fit, up to its {@code MaxCount}, as EC2 does.
   *
   * @param instances the limit; not negative
   * @return this, for chaining
   */
  public synchronized Ec2Faults capacity(int instances) {
    if (instances < 0) {
      throw new IllegalArgumentException("capacity must not be negative, got " + instances);
    }
    this.capacity = instances;
    return this;
  }

  /** Removes every queued failure and delay and lifts the capacity limit. */
  public synchronized void clear() {
    failures.clear();
    delays.clear();
    capacity = Integer.MAX_VALUE;
  }

  synchronized Optional<Ec2Emulator.Fault> poll(String action) {
    Optional<Ec2Emulator.Fault> specific = take(failures.get(action));
    return specific != null ? specific : Objects.requireNonNullElse(take(failures.get(ANY_ACTION)), Optional.empty());
  }

  synchronized Duration pollDelay(String action) {
    Duration specific = take(delays.get(action));
    return specific != null ? specific : Objects.requireNonNullElse(take(delays.get(ANY_ACTION)), Duration.ZERO);
  }

  synchronized int capacity() {
    return capacity;
  }

  private static <T> T take(Queue<T> queue) {
    return queue == null ? null : queue.poll();
  }

  private static void checkAction(String action) {
    Objects.requireNonNull(action, "action");
    if (!ANY_ACTION.equals(action) && !Ec2Handler.ACTIONS.contains(action)) {
      throw new IllegalArgumentException("unknown action '" + action + "'; the emulator answers " + Ec2Handler.ACTIONS
          + " (or \"" + ANY_ACTION + "\" for any)");
    }
  }
}
