package dev.berth.provisioner.controller;

import dev.berth.provisioner.store.Problem;
import java.util.Objects;
import java.util.Optional;

/**
 * What a commit did, or (pretending) would do.
 *
 * @param groupId the group
 * @param managing how many instances the group is to have
 * @param plan what converging takes, counted before the commit's own round
 * @param pretend whether this was only a plan: nothing was stored and no EC2 write call was made
 * @param problem why the commit's own round failed (the spec is stored all the same), if it did
 */
public record CommitResult(String groupId, int managing, PlanSummary plan, boolean pretend, Optional<Problem> problem) {

  /**
   * Null-checks.
   *
   * @param groupId the group
   * @param managing the desired count
   * @param plan the plan
   * @param pretend whether pretend
   * @param problem the round's failure, if any
   */
  public CommitResult {
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(problem, "problem");
  }

  /**
   * InfraKit's answer to a commit.
   *
   * @return e.g. {@code Managing 3 instances}
   */
  public String message() {
    return "Managing " + managing + " instances";
  }
}
