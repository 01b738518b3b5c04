package dev.berth.provisioner.ec2;

import java.util.List;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/**
 * Launches, finds and terminates a group's instances: InfraKit's instance plugin, without its
 * separate tagging step. Every method is lazy (nothing happens until subscription) and fails
 * with an {@link Ec2CallException}.
 *
 * <pre>{@code
 * InstancePlugin plugin = InstancePlugin.ec2(runtime.ec2());   // a BerthRuntime's client, on its loop
 * plugin.launch(new Launch(spec, 100, Optional.empty(), "berth-0f3a..."))   // one RunInstances
 *     .then(plugin.describe(spec.id(), false))                             // paged, by tag
 *     .subscribe(instances -> ...);
 * }</pre>
 */
public interface InstancePlugin {

  /**
   * How many instances one {@code DescribeInstances} page holds by default: {@value}. Not EC2's
   * maximum of 1,000: the SDK builds a whole page's XML in memory (about 2.6 KB an instance), and in
   * the daemon smaller pages mean shorter parses and less garbage promoted at a time, next to the
   * credential requests the same JVM serves.
   */
  int DEFAULT_PAGE_SIZE = 100;

  /** How many instances one {@code TerminateInstances} call names by default: {@value}. */
  int DEFAULT_TERMINATE_BATCH = 1000;

  /**
   * Launches up to {@code launch.count()} instances in one {@code RunInstances}, with the group's
   * tags in its {@code TagSpecifications} (so no instance ever exists untagged) and its client
   * token (so repeating the call never launches twice).
   *
   * @param launch what to launch
   * @return the launched instances, pending
   */
  Mono<List<ManagedInstance>> launch(Launch launch);

  /**
   * The group's instances: every page of {@code DescribeInstances} filtered by the
   * {@code infrakit.group} tag. Terminated instances are never included.
   *
   * @param groupId the group
   * @param includeShuttingDown whether instances still shutting down count (for destroy, and for
   *     addresses not yet released)
   * @return the instances in launch order
   */
  Mono<List<ManagedInstance>> describe(String groupId, boolean includeShuttingDown);

  /**
   * Terminates instances, in {@code TerminateInstances} calls of a bounded size, one after the other.
   *
   * @param instanceIds the instances; ids already gone are skipped
   * @return how many were terminated
   */
  Mono<Integer> terminate(List<String> instanceIds);

  /**
   * Checks that an image exists, with {@code DescribeImages}.
   *
   * @param imageId the image
   * @return empty on success; {@code InvalidAMIID.NotFound} or {@code .Malformed} otherwise
   */
  Mono<Void> checkImage(String imageId);

  /**
   * The plugin over an EC2 client, with EC2's largest page and batch sizes.
   *
   * @param client the client, e.g. from {@code BerthRuntime.ec2()}
   * @return the plugin
   */
  static InstancePlugin ec2(Ec2AsyncClient client) {
    return ec2(client, DEFAULT_PAGE_SIZE, DEFAULT_TERMINATE_BATCH);
  }

  /**
   * The plugin over an EC2 client.
   *
   * @param client the client
   * @param pageSize instances per {@code DescribeInstances} page, 5 to 1000
   * @param terminateBatch instances per {@code TerminateInstances} call, 1 to 1000
   * @return the plugin
   */
  static InstancePlugin ec2(Ec2AsyncClient client, int pageSize, int terminateBatch) {
    if (pageSize < 5 || pageSize > 1000) {
      throw new IllegalArgumentException("pageSize must be 5..1000 (EC2's MaxResults), got " + pageSize);
    }
    if (terminateBatch < 1 || terminateBatch > 1000) {
      throw new IllegalArgumentException("terminateBatch must be 1..1000, got " + terminateBatch);
    }
    return new Ec2InstancePlugin(client, pageSize, terminateBatch);
  }
}
