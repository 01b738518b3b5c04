package dev.berth.provisioner.controller;

import java.time.Duration;
import java.util.Objects;

/**
 * How the group controller paces itself and what it refuses to do.
 *
 * @param pollInterval how often every group is reconciled while watching
 * @param maxInstancesPerGroup the hard cap: no spec may ask for more (desired plus surge), and no
 *     round launches beyond it
 * @param launchBatch instances per {@code RunInstances} call
 * @param launchConcurrency how many {@code RunInstances} calls of one round run at once
 * @param backoffBase the first wait after {@code RequestLimitExceeded} or {@code InsufficientInstanceCapacity}
 * @param backoffMax the longest wait; waits double up to it
 */
public record ControllerSettings(Duration pollInterval, int maxInstancesPerGroup, int launchBatch,
    int launchConcurrency, Duration backoffBase, Duration backoffMax) {

  /** The default hard cap: {@value}. */
  public static final int DEFAULT_MAX_INSTANCES = 100;

  /**
   * Checks every value.
   *
   * @param pollInterval positive
   * @param maxInstancesPerGroup at least 1
   * @param launchBatch 1 to 1000
   * @param launchConcurrency at least 1
   * @param backoffBase positive
   * @param backoffMax at least {@code backoffBase}
   */
  public ControllerSettings {
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(backoffBase, "backoffBase");
    Objects.requireNonNull(backoffMax, "backoffMax");
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("pollInterval must be positive, got " + pollInterval);
    }
    if (maxInstancesPerGroup < 1) {
      throw new IllegalArgumentException("maxInstancesPerGroup must be at least 1, got " + maxInstancesPerGroup);
    }
    if (launchBatch < 1 || launchBatch > 1000) {
      throw new IllegalArgumentException("launchBatch must be 1..1000 (EC2 launches at most 1000 per call), got " + launchBatch);
    }
    if (launchConcurrency < 1) {
      throw new IllegalArgumentException("launchConcurrency must be at least 1, got " + launchConcurrency);
    }
    if (backoffBase.isNegative() || backoffBase.isZero() || backoffMax.compareTo(backoffBase) < 0) {
      throw new IllegalArgumentException("backoff needs 0 < base <= max, got " + backoffBase + " and " + backoffMax);
    }
  }

  /**
   * Poll every 10 s, at most 100 instances per group, 100 per launch, 4 launches at once, back off
   * from 10 s to 5 min.
   *
   * @return the defaults
   */
  public static ControllerSettings defaults() {
    return new ControllerSettings(Duration.ofSeconds(10), DEFAULT_MAX_INSTANCES, 100, 4,
        Duration.ofSeconds(10), Duration.ofMinutes(5));
  }

  /**
   * A copy with another poll interval.
   *
   * @param interval positive
   * @return the copy
   */
  public ControllerSettings withPollInterval(Duration interval) {
    return new ControllerSettings(interval, maxInstancesPerGroup, launchBatch, launchConcurrency, backoffBase, backoffMax);
  }

  /**
   * A copy with another cap.
   *
   * @param max at least 1
   * @return the copy
   */
  public ControllerSettings withMaxInstancesPerGroup(int max) {
    return new ControllerSettings(pollInterval, max, launchBatch, launchConcurrency, backoffBase, backoffMax);
  }

  /**
   * A copy with another launch batch size.
   *
   * @param batch 1 to 1000
   * @return the copy
   */
  public ControllerSettings withLaunchBatch(int batch) {
    return new ControllerSettings(pollInterval, maxInstancesPerGroup, batch, launchConcurrency, backoffBase, backoffMax);
  }
}
