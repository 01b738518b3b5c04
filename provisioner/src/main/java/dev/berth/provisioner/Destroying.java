package dev.berth.provisioner;

import dev.berth.provisioner.controller.DestroyResult;
import dev.berth.provisioner.controller.GroupController;
import dev.berth.provisioner.ec2.InstancePlugin;
import dev.berth.provisioner.ec2.ManagedInstance;
import dev.berth.runtime.BerthRuntime;
import dev.berth.runtime.Ec2Waiters;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;

/**
 * A destroy that ends when EC2 shows nothing left: one pass terminates the group's instances, the
 * SDK's {@code InstanceTerminated} waiter waits for them (scheduled on the runtime's loop, an
 * attempt every poll interval), and a last pass, finding none, forgets the group. A pass that
 * fails (EC2 throttling, an outage) is repeated after a poll interval until the time limit.
 */
final class Destroying {

  private static final Logger log = LoggerFactory.getLogger(Destroying.class);

  private final GroupController groups;
  private final InstancePlugin plugin;
  private final BerthRuntime runtime;
  private final Duration delay;

  Destroying(GroupController groups, InstancePlugin plugin, BerthRuntime runtime, Duration delay) {
    this.groups = groups;
    this.plugin = plugin;
    this.runtime = runtime;
    this.delay = delay;
  }

  /** Through a daemon, which terminates and waits itself: its passes are asked for until one is done. */
  static Destroying throughDaemon(GroupController groups, Duration delay) {
    return new Destroying(groups, null, null, delay);
  }

  Mono<DestroyResult> destroy(String groupId, Duration limit) {
    if (runtime == null) {
      return Mono.defer(() -> {
        long deadline = System.nanoTime() + limit.toNanos();
        return pass(groupId, deadline).expand(last -> last.done() || last.problem().isPresent()
                || System.nanoTime() + delay.toNanos() - deadline > 0 ? Mono.empty()
                : Mono.delay(delay).then(pass(groupId, deadline)))
            .last();
      });
    }
    return Mono.defer(() -> {
      long deadline = System.nanoTime() + limit.toNanos();
      // Done, or EC2 kept failing until the limit: nothing to wait for.
      return pass(groupId, deadline).flatMap(first -> first.done() || first.problem().isPresent() ? Mono.just(first)
          : plugin.describe(groupId, true)
              .map(left -> left.stream().map(ManagedInstance::id).toList())
              .flatMap(ids -> ids.isEmpty() ? Mono.empty() : terminated(groupId, ids, remaining(deadline)))
              .then(Mono.defer(() -> pass(groupId, deadline))));
    });
  }

  /** One pass; a failed one again after a poll interval, while there is time. */
  private Mono<DestroyResult> pass(String groupId, long deadline) {
    return Mono.defer(() -> groups.destroy(groupId))
        .flatMap(pass -> pass.problem().isPresent() ? Mono.error(new PassFailed(pass)) : Mono.just(pass))
        .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, delay)
            .filter(e -> e instanceof PassFailed && System.nanoTime() + delay.toNanos() - deadline < 0)
            .doBeforeRetry(s -> log.warn("{}: destroy failed ({}); retrying", groupId, s.failure().getMessage())))
        .onErrorResume(PassFailed.class, e -> Mono.just(e.pass));
  }

  private Mono<Void> terminated(String groupId, List<String> ids, Duration limit) {
    log.info("{}: waiting for {} instance(s) to terminate", groupId, ids.size());
    return runtime.awaitEc2(waiter -> waiter.waitUntilInstanceTerminated(
        DescribeInstancesRequest.builder().instanceIds(ids).build(), Ec2Waiters.until(limit, delay)))
        .then();
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }

  /** A pass that ended with an EC2 failure, to be repeated. */
  private static final class PassFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient DestroyResult pass;

    PassFailed(DestroyResult pass) {
      super(pass.problem().map(p -> p.message()).orElse("failed"), null, false, false);
      this.pass = pass;
    }
  }
}
