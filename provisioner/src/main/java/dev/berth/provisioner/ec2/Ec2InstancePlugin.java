package dev.berth.provisioner.ec2;

import dev.berth.runtime.HostCredentials;
import dev.berth.provisioner.spec.GroupSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Reservation;

/**
 * {@link InstancePlugin} on {@link Ec2AsyncClient}.
 *
 * <p>Design notes: the plugin never calls {@code CreateTags}; a launch and its tags are one
 * request (see {@link LaunchRequests}). A {@code TerminateInstances} that names an id EC2 no
 * longer knows fails whole, so that batch is retried one id at a time.
 */
final class Ec2InstancePlugin implements InstancePlugin {

  private static final List<String> LIVE = List.of("pending", "running", "stopping", "stopped");
  private static final List<String> NOT_GONE = List.of("pending", "running", "stopping", "stopped", "shutting-down");

  private final Ec2AsyncClient client;
  private final int pageSize;
  private final int terminateBatch;

  Ec2InstancePlugin(Ec2AsyncClient client, int pageSize, int terminateBatch) {
    this.client = client;
    this.pageSize = pageSize;
    this.terminateBatch = terminateBatch;
  }

  @Override
  public Mono<List<ManagedInstance>> launch(Launch launch) {
    return call(() -> client.runInstances(LaunchRequests.build(launch)))
        .map(response -> response.instances().stream().map(ManagedInstance::of).toList());
  }

  @Override
  public Mono<List<ManagedInstance>> describe(String groupId, boolean includeShuttingDown) {
    DescribeInstancesRequest request = DescribeInstancesRequest.builder()
        .filters(
            Filter.builder().name("tag:" + GroupSpec.GROUP_TAG).values(groupId).build(),
            Filter.builder().name("instance-state-name").values(includeShuttingDown ? NOT_GONE : LIVE).build())
        .maxResults(pageSize)
        .build();
    return HostCredentials.readyFor(client)
        .thenMany(Flux.defer(() -> Flux.from(client.describeInstancesPaginator(request))))
        .flatMapIterable(DescribeInstancesResponse::reservations)
        .flatMapIterable(Reservation::instances)
        .map(ManagedInstance::of)
        .collectList()
        .onErrorMap(Ec2CallException::from);
  }

  @Override
  public Mono<Integer> terminate(List<String> instanceIds) {
    List<List<String>> batches = new ArrayList<>();
    for (int i = 0; i < instanceIds.size(); i += terminateBatch) {
      batches.add(List.copyOf(instanceIds.subList(i, Math.min(instanceIds.size(), i + terminateBatch))));
    }
    return Flux.fromIterable(batches)
        .concatMap(batch -> terminateBatch(batch).onErrorResume(
            e -> e instanceof Ec2CallException c && c.code().equals("InvalidInstanceID.NotFound") && batch.size() > 1,
            e -> Flux.fromIterable(batch).concatMap(id -> terminateBatch(List.of(id)).onErrorResume(
                n -> n instanceof Ec2CallException c && c.code().equals("InvalidInstanceID.NotFound"),
                n -> Mono.just(0))).reduce(0, Integer::sum)))
        .reduce(0, Integer::sum);
  }

  @Override
  public Mono<Void> checkImage(String imageId) {
    return call(() -> client.describeImages(r -> r.imageIds(imageId))).flatMap(response -> response.images().isEmpty()
        ? Mono.error(new Ec2CallException("InvalidAMIID.NotFound", Ec2CallException.Kind.PERMANENT,
            "EC2 InvalidAMIID.NotFound: The image id '[" + imageId + "]' does not exist", null))
        : Mono.empty());
  }

  private Mono<Integer> terminateBatch(List<String> batch) {
    return call(() -> client.terminateInstances(r -> r.instanceIds(batch)))
        .map(response -> response.terminatingInstances().size());
  }

  /** One call, once the host's own credentials are ready off the loop: the SDK would wait for them on the caller's thread. */
  private <T> Mono<T> call(Supplier<CompletableFuture<T>> call) {
    return HostCredentials.readyFor(client).then(Mono.defer(() -> Mono.fromFuture(call)))
        .onErrorMap(Ec2CallException::from);
  }
}
