package dev.berth.provisioner.store;

import dev.berth.provisioner.spec.GroupSpec;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Everything the provisioner keeps about one group between runs: the desired state and the
 * bookkeeping that makes a restart safe.
 *
 * @param spec the committed spec
 * @param destroying whether {@code destroy} was asked: the group is terminated, never grown
 * @param launchSerial grows by one with every launch round; client tokens are derived from it. A newly
 *     committed group starts at a random point, so a group destroyed and committed again under the
 *     same id never repeats a token of its earlier life (EC2 would answer such a launch with the
 *     earlier, terminated instances and launch nothing)
 * @param pendingLaunches launches asked for whose outcome is not known yet; they are repeated,
 *     with the same client token, before anything else is done
 * @param problem the last failure, while it lasts
 */
public record StoredGroup(GroupSpec spec, boolean destroying, long launchSerial, List<PendingLaunch> pendingLaunches,
    Optional<Problem> problem) {

  /**
   * Null-checks and freezes.
   *
   * @param spec the spec
   * @param destroying whether it is being destroyed
   * @param launchSerial not negative
   * @param pendingLaunches the pending launches; copied
   * @param problem the problem, if any
   */
  public StoredGroup {
    Objects.requireNonNull(spec, "spec");
    if (launchSerial < 0) {
      throw new IllegalArgumentException("launchSerial must not be negative, got " + launchSerial);
    }
    pendingLaunches = List.copyOf(pendingLaunches);
    Objects.requireNonNull(problem, "problem");
  }

  /**
   * A newly committed group.
   *
   * @param spec the spec
   * @return the group, with nothing pending
   */
  public static StoredGroup committed(GroupSpec spec) {
    return new StoredGroup(spec, false, ThreadLocalRandom.current().nextLong(1L << 62), List.of(), Optional.empty());
  }

  /**
   * The group's id.
   *
   * @return {@code spec().id()}
   */
  public String id() {
    return spec.id();
  }

  /**
   * This group with another spec; a new spec drops launches pending for the old one.
   *
   * @param newSpec the spec
   * @return the copy
   */
  public StoredGroup withSpec(GroupSpec newSpec) {
    return new StoredGroup(newSpec, false, launchSerial, List.of(), problem);
  }

  /**
   * This group marked for destruction.
   *
   * @return the copy
   */
  public StoredGroup markDestroying() {
    return new StoredGroup(spec, true, launchSerial, List.of(), problem);
  }

  /**
   * This group with other pending launches and serial.
   *
   * @param serial the launch serial
   * @param pending the pending launches
   * @return the copy
   */
  public StoredGroup withLaunches(long serial, List<PendingLaunch> pending) {
    return new StoredGroup(spec, destroying, serial, pending, problem);
  }

  /**
   * This group with another problem, or none.
   *
   * @param newProblem the problem
   * @return the copy
   */
  public StoredGroup withProblem(Optional<Problem> newProblem) {
    return new StoredGroup(spec, destroying, launchSerial, pendingLaunches, newProblem);
  }
}
