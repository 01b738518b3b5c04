package dev.berth.provisioner.controller;

import dev.berth.provisioner.store.Problem;
import java.util.Objects;
import java.util.Optional;

/**
 * One pass of destroying a group.
 *
 * @param groupId the group
 * @param terminated instances this pass terminated
 * @param remaining instances not yet terminated (shutting down ones included), or -1 when the pass failed before it could tell
 * @param done whether nothing is left and the group was forgotten
 * @param problem why the pass failed, if it did; the group stays and the next pass retries
 */
public record DestroyResult(String groupId, int terminated, int remaining, boolean done, Optional<Problem> problem) {

  /**
   * Null-checks.
   *
   * @param groupId the group
   * @param terminated terminated this pass
   * @param remaining left
   * @param done whether done
   * @param problem the failure, if any
   */
  public DestroyResult {
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(problem, "problem");
  }
}
