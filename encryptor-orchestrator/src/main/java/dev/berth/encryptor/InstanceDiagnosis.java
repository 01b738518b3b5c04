package dev.berth.encryptor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What {@code diag --instance ID} reports about an instance (typically a run's guest or encryptor
 * that misbehaved): its state and why, its status checks, its volumes with their encryption, and
 * the tail of its console output.
 *
 * @param instanceId the instance
 * @param state e.g. {@code running}
 * @param reason why it is in that state (EC2's state reason), or empty
 * @param systemStatus the system status check, or {@code not-applicable}
 * @param instanceStatus the instance status check, or {@code not-applicable}
 * @param volumes one line per attached volume: device, id, size, encryption and key
 * @param consoleTail the last lines of the console output
 */
public record InstanceDiagnosis(String instanceId, String state, String reason, String systemStatus,
    String instanceStatus, List<String> volumes, List<String> consoleTail) {

  /**
   * Null-checks and freezes the lists.
   *
   * @param instanceId the instance
   * @param state the state
   * @param reason the reason
   * @param systemStatus the system check
   * @param instanceStatus the instance check
   * @param volumes the volume lines; copied
   * @param consoleTail the console lines; copied
   */
  public InstanceDiagnosis {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(systemStatus, "systemStatus");
    Objects.requireNonNull(instanceStatus, "instanceStatus");
    volumes = List.copyOf(volumes);
    consoleTail = List.copyOf(consoleTail);
  }

  /**
   * The report as a person reads it.
   *
   * @return lines without line separators
   */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    out.add("instance " + instanceId + ": " + state + (reason.isEmpty() ? "" : " (" + reason + ")"));
    out.add("status checks: system " + systemStatus + ", instance " + instanceStatus);
    out.add("volumes:");
    volumes.forEach(v -> out.add("  " + v));
    out.add("console output (last " + consoleTail.size() + " lines):");
    consoleTail.forEach(l -> out.add("  " + l));
    return out;
  }
}
