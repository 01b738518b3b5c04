package dev.berth.provisioner.controller;

import dev.berth.provisioner.ec2.ManagedInstance;
import dev.berth.provisioner.spec.GroupSpec;
import dev.berth.provisioner.store.Problem;
import dev.berth.provisioner.store.StoredGroup;
import java.util.List;
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
   * The status of {@code group} with {@code observed} its instances as EC2 shows them.
   *
   * @param group the stored group
   * @param observed its instances
   * @return the status
   */
  static GroupStatus of(StoredGroup group, List<ManagedInstance> observed) {
    GroupSpec spec = group.spec();
    int running = (int) observed.stream().filter(ManagedInstance::running).count();
    int outdated = (int) observed.stream().filter(i -> !i.configHash().equals(spec.configHash())).count();
    PlanSummary remaining = group.destroying() ? new PlanSummary(0, observed.size(), 0) : Planner.summary(spec, observed);
    return new GroupStatus(spec.id(), group.destroying() ? 0 : spec.allocation().count(), running,
        observed.size() - running, outdated, remaining, group.destroying(), group.problem());
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
