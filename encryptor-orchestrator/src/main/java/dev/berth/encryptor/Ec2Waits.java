package dev.berth.encryptor;

import dev.berth.provisioner.ec2.Ec2CallException;
import dev.berth.runtime.Ec2Waiters;
import dev.berth.runtime.HostCredentials;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.core.waiters.WaiterOverrideConfiguration;
import software.amazon.awssdk.core.waiters.WaiterResponse;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotsRequest;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.waiters.Ec2AsyncWaiter;

/**
 * EC2 calls as {@link Mono}s, and the SDK's own async waiters ({@link Ec2AsyncWaiter}) with the
 * run's deadline as their limit.
 *
 * <p>Design notes: the waiters keep their documented polling delay (15 s for images, instances
 * and snapshots), so a run never polls more often than the SDK would; only their attempt limit is
 * lifted, because the run's own deadline bounds them instead (a large image copies for hours,
 * longer than the default 40 attempts). Tests pass {@code pollInterval} to move faster against
 * the emulator. The waiters schedule on the loop they are given and never block it; a cancelled
 * run's waits stop polling ({@link Ec2Waiters#await}).
 */
final class Ec2Waits {

  private final Ec2AsyncClient ec2;
  private final ScheduledExecutorService scheduler;
  private final Duration pollInterval;

  Ec2Waits(Ec2AsyncClient ec2, ScheduledExecutorService scheduler, Duration pollInterval) {
    this.ec2 = ec2;
    this.scheduler = scheduler;
    this.pollInterval = pollInterval;
  }

  /**
   * One EC2 call through {@code ec2}, made once the host's credentials are in memory (the SDK would
   * otherwise wait for them on the calling thread, the loop); its failure becomes an
   * {@link Ec2CallException} that says what it means.
   */
  static <T> Mono<T> call(Ec2AsyncClient ec2, Supplier<CompletableFuture<T>> call) {
    return HostCredentials.readyFor(ec2).then(Mono.fromFuture(call))
        .onErrorMap(e -> !(e instanceof Ec2CallException), Ec2CallException::from);
  }

  Mono<Image> imageAvailable(String imageId, Duration limit) {
    return wait("image " + imageId + " to become available", limit,
        (waiter, o) -> waiter.waitUntilImageAvailable(DescribeImagesRequest.builder().imageIds(imageId).build(), o))
        .map(r -> r.images().get(0));
  }

  Mono<Void> instanceRunning(String instanceId, Duration limit) {
    return wait("instance " + instanceId + " to run", limit,
        (waiter, o) -> waiter.waitUntilInstanceRunning(instances(List.of(instanceId)), o)).then();
  }

  Mono<Void> instanceStopped(String instanceId, Duration limit) {
    return wait("instance " + instanceId + " to stop", limit,
        (waiter, o) -> waiter.waitUntilInstanceStopped(instances(List.of(instanceId)), o)).then();
  }

  Mono<Void> instancesTerminated(List<String> instanceIds, Duration limit) {
    return wait("instances " + instanceIds + " to terminate", limit,
        (waiter, o) -> waiter.waitUntilInstanceTerminated(instances(instanceIds), o)).then();
  }

  Mono<Void> snapshotCompleted(String snapshotId, Duration limit) {
    return wait("snapshot " + snapshotId + " to complete", limit, (waiter, o) -> waiter.waitUntilSnapshotCompleted(
        DescribeSnapshotsRequest.builder().snapshotIds(snapshotId).build(), o)).then();
  }

  private static DescribeInstancesRequest instances(List<String> ids) {
    return DescribeInstancesRequest.builder().instanceIds(ids).build();
  }

  private <T> Mono<T> wait(String what, Duration limit,
      BiFunction<Ec2AsyncWaiter, WaiterOverrideConfiguration, CompletableFuture<WaiterResponse<T>>> start) {
    WaiterOverrideConfiguration configuration = Ec2Waiters.until(limit, pollInterval);
    // A waiter that gives up (failure state, time limit) fails with an SdkClientException, which
    // would otherwise read as "EC2 unreachable"; an EC2 error it met keeps its code.
    return Ec2Waiters.await(ec2, scheduler, waiter -> start.apply(waiter, configuration))
        .onErrorMap(e -> {
          for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof Ec2Exception ec2Error) {
              return Ec2CallException.from(ec2Error);
            }
          }
          Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
          return EncryptorException.failed("gave up waiting for " + what + ": " + cause.getMessage(), cause);
        })
        .flatMap(response -> response.matched().response()
        .map(Mono::just)
        .orElseGet(() -> Mono.error(EncryptorException.failed("gave up waiting for " + what + ": "
            + response.matched().exception().map(Throwable::getMessage).orElse("no answer"), null))));
  }
}
