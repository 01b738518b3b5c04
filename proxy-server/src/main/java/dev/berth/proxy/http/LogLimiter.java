package dev.berth.proxy.http;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceArray;

/*
 * Design notes. Rate-limits the log line of one kind of refusal (one instance per kind), so a
 * caller in a retry loop or a flood of bad requests can neither flood the log nor spend the event
 * loop on logging. Per key (the caller's address, a binding, a path) the first line goes through,
 * then at most one per interval; that line says how many of the key's lines were held back since
 * the last one. On top, at most `lines` lines per interval go through in all (a GCRA on one
 * timestamp), so keys the caller chooses (a path) cannot flood the log either; a line held back by
 * that budget is counted for its key and its key goes through as soon as the budget allows.
 *
 * It runs on the event loop: lock-free (CAS only), fixed memory (a set-associative table of the
 * keys last seen, WAYS entries per set, the oldest replaced), and a line held back allocates
 * nothing. Under races the limits may be overshot by a line and a count may miss a line held back
 * at the very moment another goes through; a key pushed out of the table loses its count and is
 * new again. Keys need cheap, stable hashCode/equals.
 */
final class LogLimiter {

  static final Duration INTERVAL = Duration.ofSeconds(10);
  static final int LINES_PER_INTERVAL = 100;
  static final int SETS = 256;
  static final int WAYS = 4;

  private final long intervalNanos;
  private final long spacingNanos;
  private final int setBits;
  private final Ticker ticker;
  private final AtomicReferenceArray<Seen> table;
  /** GCRA: the time at which the budget is full again; a line may go if that is at most one interval away. */
  private final AtomicLong budgetFullAt;

  /**
   * @param interval how often each key may log after its first line
   * @param lines how many lines all keys together may log per interval
   * @param sets how many sets of {@value #WAYS} keys the table holds (a power of two)
   * @param ticker the time, in nanoseconds
   */
  LogLimiter(Duration interval, int lines, int sets, Ticker ticker) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, was " + interval);
    }
    if (lines < 1) {
      throw new IllegalArgumentException("lines must be at least 1, was " + lines);
    }
    if (sets < 1 || Integer.bitCount(sets) != 1) {
      throw new IllegalArgumentException("sets must be a power of two, was " + sets);
    }
    this.intervalNanos = interval.toNanos();
    this.spacingNanos = intervalNanos / lines;
    this.setBits = Integer.numberOfTrailingZeros(sets);
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.table = new AtomicReferenceArray<>(sets * WAYS);
    this.budgetFullAt = new AtomicLong(ticker.read());
  }

  /** First line per key, then one per 10 s per key, at most 100 per 10 s in all. */
  static LogLimiter standard() {
    return new LogLimiter(INTERVAL, LINES_PER_INTERVAL, SETS, Ticker.systemTicker());
  }

  /**
   * Whether to log a line about {@code key} now.
   *
   * @return {@code null} to leave the line out; otherwise what to append to it: {@code ""}, or
   *     {@code " (N similar lines suppressed)"} when lines about {@code key} were left out since the
   *     last one that went through
   */
  String admit(Object key) {
    long now = ticker.read();
    int first = setBits == 0 ? 0 : ((key.hashCode() * 0x9E3779B9) >>> (32 - setBits)) * WAYS;
    boolean budgeted = false;
    for (;;) {
      int slot = -1;
      Seen found = null;
      int victim = first;
      Seen replaced = table.get(first);
      for (int i = first; i < first + WAYS; i++) {
        Seen seen = table.get(i);
        if (seen != null && seen.key.equals(key)) {
          slot = i;
          found = seen;
          break;
        }
        if (replaced != null && (seen == null || seen.at - replaced.at < 0)) {
          victim = i;
          replaced = seen;
        }
      }
      if (found != null && now - found.at < intervalNanos) {
        found.leftOut();
        return null;
      }
      if (!budgeted) {
        if (!takeBudget(now)) {
          if (found != null) {
            found.leftOut();
          } else {
            // Remembered as overdue: its next line goes through as soon as the budget allows, with this one counted.
            table.compareAndSet(victim, replaced, new Seen(key, now - intervalNanos, 1));
          }
          return null;
        }
        budgeted = true;
      }
      if (found != null) {
        if (table.compareAndSet(slot, found, new Seen(key, now, 0))) {
          return note(found.takeLeftOut());
        }
      } else if (table.compareAndSet(victim, replaced, new Seen(key, now, 0))) {
        return "";
      }
      // Another thread changed the set meanwhile: look again, without taking more budget.
    }
  }

  private boolean takeBudget(long now) {
    for (;;) {
      long fullAt = budgetFullAt.get();
      long from = fullAt - now < 0 ? now : fullAt;
      if (from - now > intervalNanos - spacingNanos) {
        return false;
      }
      if (budgetFullAt.compareAndSet(fullAt, from + spacingNanos)) {
        return true;
      }
    }
  }

  private static String note(long leftOut) {
    if (leftOut == 0) {
      return "";
    }
    return " (" + leftOut + (leftOut == 1 ? " similar line suppressed)" : " similar lines suppressed)");
  }

  private static final class Seen {
    private static final AtomicLongFieldUpdater<Seen> LEFT_OUT =
        AtomicLongFieldUpdater.newUpdater(Seen.class, "leftOut");

    final Object key;
    /** When the key's last line went through. */
    final long at;
    private volatile long leftOut;

    Seen(Object key, long at, long leftOut) {
      this.key = key;
      this.at = at;
      this.leftOut = leftOut;
    }

    void leftOut() {
      LEFT_OUT.incrementAndGet(this);
    }

    long takeLeftOut() {
      return LEFT_OUT.getAndSet(this, 0);
    }
  }
}
