package dev.berth.provisioner.spec;

import java.time.Duration;
import java.util.Objects;

/**
 * How a rolling update is paced. InfraKit's {@code Updating} ({@code Count}, {@code Duration}) plus
 * Berth's {@code MaxUnavailable} and {@code Surge}.
 *
 * @param count how many poll intervals a new batch must have run before the next batch starts; 0 for none
 * @param duration how long a new batch must have run before the next batch starts; zero for none
 * @param maxUnavailable how many instances may be missing from the desired count during the update
 * @param surge how many instances beyond the desired count may exist during the update
 */
public record Updating(int count, Duration duration, int maxUnavailable, int surge) {

  /** InfraKit's pace: one instance at a time, none extra, no settling time. */
  public static final Updating DEFAULT = new Updating(0, Duration.ZERO, 1, 0);

  /**
   * Checks the combination.
   *
   * @param count not negative
   * @param duration not negative
   * @param maxUnavailable not negative
   * @param surge not negative
   */
  public Updating {
    Objects.requireNonNull(duration, "duration");
    if (count < 0 || duration.isNegative() || maxUnavailable < 0 || surge < 0) {
      throw new IllegalArgumentException("Updating values must not be negative");
    }
    if (count > 0 && !duration.isZero()) {
      throw new IllegalArgumentException("Updating takes Count or Duration, not both");
    }
    if (maxUnavailable + surge < 1) {
      throw new IllegalArgumentException("MaxUnavailable + Surge must be at least 1, or no instance can be replaced");
    }
  }
}
