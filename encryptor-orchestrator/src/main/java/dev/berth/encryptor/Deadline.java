package dev.berth.encryptor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The end of a run ({@code --timeout} after its start), which every wait inside it inherits, so no
 * single step can outlive the run.
 *
 * @param end when the run must be over
 * @param clock the clock that tells the time
 */
record Deadline(Instant end, Clock clock) {

  static Deadline after(Duration timeout, Clock clock) {
    return new Deadline(clock.instant().plus(timeout), clock);
  }

  /** What is left, never negative. */
  Duration remaining() {
    Duration left = Duration.between(clock.instant(), end);
    return left.isNegative() ? Duration.ZERO : left;
  }
}
