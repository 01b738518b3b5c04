package dev.berth.provisioner.spec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One group as an InfraKit group spec describes it, validated: what to launch, how many, how to
 * boot them, how to roll out a change.
 *
 * <pre>{@code
 * GroupSpec spec = GroupSpec.parse(Files.readString(Path.of("aws-example.json")));
 * spec.id();            // "aws-example"
 * spec.configHash();    // the infrakit.config.hash every instance is tagged with
 * }</pre>
 *
 * @param id the group's {@code ID}
 * @param allocation its {@code Allocation}
 * @param instance the instance plugin's properties
 * @param flavor the flavor plugin's properties
 * @param updating the rolling-update pace
 * @param configHash InfraKit's hash of the {@code Instance} and {@code Flavor} sections
 * @param json the spec document as committed, compact
 */
public record GroupSpec(String id, Allocation allocation, InstanceProperties instance, FlavorProperties flavor,
    Updating updating, String configHash, String json) {

  /** The tag naming an instance's group: {@value}. */
  public static final String GROUP_TAG = "infrakit.group";

  /** The tag holding the configuration hash an instance was launched with: {@value}. */
  public static final String CONFIG_HASH_TAG = "infrakit.config.hash";

  /**
   * Null-checks every component.
   *
   * @param id the group id
   * @param allocation the allocation
   * @param instance the instance properties
   * @param flavor the flavor properties
   * @param updating the update pace
   * @param configHash the configuration hash
   * @param json the source document
   */
  public GroupSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(allocation, "allocation");
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(flavor, "flavor");
    Objects.requireNonNull(updating, "updating");
    Objects.requireNonNull(configHash, "configHash");
    Objects.requireNonNull(json, "json");
  }

  /**
   * Parses and validates a group spec document. Nothing is accepted that InfraKit's AWS plugin
   * would have misread: unknown fields, wrong types, both or neither allocation method, a missing
   * image, and fields the provisioner sets itself are all refused.
   *
   * @param json the document
   * @return the spec
   * @throws SpecException naming the JSON path of the first problem and what was expected there
   */
  public static GroupSpec parse(String json) {
    return SpecParser.parse(Objects.requireNonNull(json, "json"));
  }

  /**
   * The tags every instance of this group carries from its first instant: the instance
   * properties' {@code Tags}, the flavor's {@code Tags}, then {@value #GROUP_TAG} and
   * {@value #CONFIG_HASH_TAG}.
   *
   * @return an ordered, immutable map
   */
  public Map<String, String> instanceTags() {
    Map<String, String> tags = new LinkedHashMap<>(instance.tags());
    tags.putAll(flavor.tags());
    tags.put(GROUP_TAG, id);
    tags.put(CONFIG_HASH_TAG, configHash);
    return java.util.Collections.unmodifiableMap(tags);
  }

  /**
   * The boot script: the flavor's {@code Init} lines joined with newlines, else the
   * {@code RunInstancesInput}'s own {@code UserData}; plain text (the plugin base64-encodes it).
   *
   * @return the script, or empty for none
   */
  public Optional<String> userData() {
    if (!flavor.init().isEmpty()) {
      return Optional.of(String.join("\n", flavor.init()));
    }
    return Optional.ofNullable(instance.runInstances().userData());
  }
}
