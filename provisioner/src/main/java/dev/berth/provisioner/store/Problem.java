package dev.berth.provisioner.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Why a group is not converging, as {@code describe} shows it.
 *
 * @param code EC2's error code, e.g. {@code RequestLimitExceeded}
 * @param message what EC2 said
 * @param at when it last happened
 * @param attempts how many rounds in a row failed
 * @param retryAt when the next round may run, while backing off
 */
public record Problem(String code, String message, Instant at, int attempts, Optional<Instant> retryAt) {

  /**
   * Null-checks.
   *
   * @param code the code
   * @param message the message
   * @param at when
   * @param attempts at least 1
   * @param retryAt the end of the backoff, if backing off
   */
  public Problem {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(retryAt, "retryAt");
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
    }
  }
}
