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
 */
public record RoundResult(String groupId, int launched, int terminated, PlanSummary plan, boolean skipped,
    Optional<Problem> problem) {

  /**
   * Null-checks.
   *
   * @param groupId the group
   * @param launched launched
   * @param terminated terminated
   * @param plan the plan
   * @param skipped whether skipped
   * @param problem the failure, if any
   */
  public RoundResult {
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(problem, "problem");
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
