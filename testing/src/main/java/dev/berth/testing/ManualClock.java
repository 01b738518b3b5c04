package dev.berth.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that moves only when a test moves it, so expiry can be tested without sleeping.
 *
 * <p>Safe to read from any thread while a test advances it.
 *
 * <pre>{@code
 * ManualClock clock = ManualClock.at(Instant.parse("2026-01-01T00:00:00Z"));
 * try (StsEmulator sts = StsEmulator.builder().clock(clock).start()) {
 *   // ... assume a role for 900 s ...
 *   clock.advance(Duration.ofMinutes(16)); // the credentials are now expired
 * }
 * }</pre>
 */
public final class ManualClock extends Clock {

  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  private ManualClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /**
   * A clock standing still at {@code instant}, in UTC.
   *
   * @param instant the time the clock shows until moved
   * @return a new clock
   */
  public static ManualClock at(Instant instant) {
    return new ManualClock(new AtomicReference<>(Objects.requireNonNull(instant, "instant")), ZoneOffset.UTC);
  }

  /**
   * Moves the clock forward (or, with a negative duration, back).
   *
   * @param duration how far to move
   * @return the new time
   */
  public Instant advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    return now.updateAndGet(t -> t.plus(duration));
  }

  /**
   * Sets the clock to {@code instant}.
   *
   * @param instant the new time
   */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
  }

  /** {@inheritDoc} */
  @Override
  public Instant instant() {
    return now.get();
  }

  /** {@inheritDoc} */
  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** {@inheritDoc} The returned clock shares this clock's time. */
  @Override
  public Clock withZone(ZoneId zone) {
    return new ManualClock(now, Objects.requireNonNull(zone, "zone"));
  }

  @Override
  public String toString() {
    return "ManualClock[" + now.get() + "]";
  }
}
