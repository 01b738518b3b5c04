package dev.berth.proxy.http;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/*
 * Design notes. Counts what each source address (each container) holds at once — connections,
 * forwarded requests — against a per-address maximum, so that one caller at its limit changes nothing
 * for the others. Runs on the event loops: a caller's counter is found without locking
 * (computeIfAbsent only locks to insert), taken and given back by CAS. Memory follows the callers
 * holding something now: a counter that drops to zero is retired (-1) and removed, and a taker that
 * meets a retired counter looks again, finding a new one.
 */
final class CallerCounts {

  private final int max;
  private final ConcurrentHashMap<InetAddress, AtomicInteger> held = new ConcurrentHashMap<>();

  CallerCounts(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("a per-caller limit must be at least 1, was " + max);
    }
    this.max = max;
  }

  /** Takes one for {@code caller} and returns true, or returns false when it already holds the maximum. */
  boolean tryAcquire(InetAddress caller) {
    for (;;) {
      AtomicInteger count = held.computeIfAbsent(caller, any -> new AtomicInteger());
      int now = count.get();
      if (now >= max) {
        return false;
      }
      if (now >= 0 && count.compareAndSet(now, now + 1)) {
        return true;
      }
      // Changed meanwhile, or retired and about to be removed (by a thread that is between two
      // instructions): look again.
    }
  }

  /** Gives back one that {@link #tryAcquire} took for {@code caller}. */
  void release(InetAddress caller) {
    AtomicInteger count = held.get(caller);
    if (count != null && count.decrementAndGet() == 0 && count.compareAndSet(0, -1)) {
      held.remove(caller, count);
    }
  }

  /** How many callers hold something now. */
  int callers() {
    return held.size();
  }
}
