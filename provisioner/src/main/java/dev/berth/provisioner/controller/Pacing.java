package dev.berth.provisioner.controller;

import dev.berth.provisioner.ec2.ManagedInstance;
import dev.berth.provisioner.spec.GroupSpec;
import java.time.Instant;
import java.util.List;

/**
 * The rolling-update clock of one group: a batch may start once the previous batch's
 * replacements all run and have run for the spec's {@code Count} rounds or {@code Duration}.
 * Kept in memory: after a restart the next batch waits for one settled round, which is the
 * cautious choice.
 */
final class Pacing {

  private boolean batchInFlight;
  private Instant settledAt;
  private int settledRounds;

  synchronized boolean mayStart(GroupSpec spec, List<ManagedInstance> observed, Instant now) {
    if (!Planner.settled(spec, observed)) {
      settledAt = null;
      settledRounds = 0;
      return false;
    }
    if (settledAt == null) {
      settledAt = now;
      settledRounds = 0;
    } else {
      settledRounds++;
    }
    if (!batchInFlight) {
      return true;
    }
    return settledRounds >= spec.updating().count() && !now.isBefore(settledAt.plus(spec.updating().duration()));
  }

  synchronized void batchStarted() {
    batchInFlight = true;
    settledAt = null;
    settledRounds = 0;
  }

  synchronized void reset() {
    batchInFlight = false;
    settledAt = null;
    settledRounds = 0;
  }
}
