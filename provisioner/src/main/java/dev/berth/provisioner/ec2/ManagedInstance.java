package dev.berth.provisioner.ec2;

import dev.berth.provisioner.spec.GroupSpec;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * One instance of a group as EC2 describes it.
 *
 * @param id the instance id
 * @param privateIpAddress its private address: the logical id of a {@code LogicalIDs} group
 * @param state {@code pending}, {@code running}, {@code shutting-down}, {@code stopping} or {@code stopped}
 * @param tags its tags, sorted by key
 * @param launchTime when it was launched
 */
public record ManagedInstance(String id, Optional<String> privateIpAddress, String state, Map<String, String> tags,
    Instant launchTime) {

  /**
   * Null-checks and freezes.
   *
   * @param id the instance id
   * @param privateIpAddress the private address, if it has one
   * @param state the state name
   * @param tags the tags; copied
   * @param launchTime the launch time
   */
  public ManagedInstance {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(privateIpAddress, "privateIpAddress");
    Objects.requireNonNull(state, "state");
    tags = Collections.unmodifiableMap(new TreeMap<>(tags));
    Objects.requireNonNull(launchTime, "launchTime");
  }

  static ManagedInstance of(Instance instance) {
    Map<String, String> tags = new TreeMap<>();
    instance.tags().forEach(t -> tags.put(t.key(), t.value() == null ? "" : t.value()));
    return new ManagedInstance(instance.instanceId(), Optional.ofNullable(instance.privateIpAddress()),
        instance.state() == null ? "pending" : instance.state().nameAsString(), tags,
        instance.launchTime() == null ? Instant.EPOCH : instance.launchTime());
  }

  /**
   * The configuration hash it was launched with.
   *
   * @return the {@value GroupSpec#CONFIG_HASH_TAG} tag, or empty if it has none
   */
  public String configHash() {
    return tags.getOrDefault(GroupSpec.CONFIG_HASH_TAG, "");
  }

  /**
   * Whether it is up: in the {@code running} state.
   *
   * @return true when running
   */
  public boolean running() {
    return "running".equals(state);
  }
}
