package dev.berth.provisioner.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * The {@code aws/ec2-instance} plugin's properties: InfraKit's {@code CreateInstanceRequest}.
 *
 * @param plugin the instance plugin's name as the spec gave it, e.g. {@code aws/ec2-instance}
 * @param runInstances the spec's {@code RunInstancesInput} as an SDK request; counts, client
 *     token, tags and user data are filled in per launch
 * @param tags the spec's {@code Tags}, put on every instance
 */
public record InstanceProperties(String plugin, RunInstancesRequest runInstances, Map<String, String> tags) {

  /**
   * Null-checks and freezes.
   *
   * @param plugin the plugin name
   * @param runInstances the request template
   * @param tags the tags; copied
   */
  public InstanceProperties {
    Objects.requireNonNull(plugin, "plugin");
    Objects.requireNonNull(runInstances, "runInstances");
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }
}
