package dev.berth.provisioner.controller;

import dev.berth.provisioner.store.Problem;
import java.util.Objects;
import java.util.Optional;

/**
 * A group as {@code describe} shows it: desired and actual counts, and why it has not converged.
 *
 * @param groupId the group
 * @param desired how many instances it should have
 * @param running how many are running
 * @param pending how many are not running yet (or stopped)
 * @param outdated how many carry another configuration hash
 * @param remaining what converging still takes
 * @param destroying whether it is being destroyed
 * @param problem the last failure, with the backoff if one is in force
 */
public record GroupStatus(String groupId, int desired, int running, int pending, int outdated, PlanSummary remaining,
    boolean destroying, Optional<Problem> problem) {

  /**
   * Null-checks.
   *
   * @param groupId the group
   * @param desired desired count
   * @param running running count
   * @param pending pending count
   * @param outdated outdated count
   * @param remaining the plan
   * @param destroying whether destroying
   * @param problem the problem, if any
   */
  public GroupStatus {
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(remaining, "remaining");
    Objects.requireNonNull(problem, "problem");
  }

  /**
   * Whether the group matches its spec: nothing to do and every instance running.
   *
   * @return true when converged
   */
  public boolean converged() {
    return !destroying && remaining.empty() && pending == 0 && running == desired;
  }
}
