package dev.berth.provisioner.controller;

import dev.berth.provisioner.store.Problem;
import java.util.Objects;
import java.util.Optional;

/**
 * What one reconciliation round of one group did.
 *
 * @param groupId the group
 * @param launched instances launched (including repeated pending launches)
 * @param terminated instances terminated
 * @param plan what converging took as the round began (before its own launches and terminations)
 * @param skipped whether the round did nothing because the group is backing off
 * @param problem why the round failed, if it did
 * @param status the group as the round found it (before its own launches and terminations), so a
 *     watcher need not describe it again; empty when the round was skipped, could not describe the
 *     group, or was a destroy pass
 */
public record RoundResult(String groupId, int launched, int terminated, PlanSummary plan, boolean skipped,
    Optional<Problem> problem, Optional<GroupStatus> status) {

  /**
   * Null-checks.
   *
   * @param groupId the group
   * @param launched launched
   * @param terminated terminated
   * @param plan the plan
   * @param skipped whether skipped
   * @param problem the failure, if any
   * @param status the group as found, if described
   */
  public RoundResult {
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(problem, "problem");
    Objects.requireNonNull(status, "status");
  }

  /**
   * Whether the round changed anything.
   *
   * @return true when it launched or terminated
   */
  public boolean changed() {
    return launched > 0 || terminated > 0;
  }
}
