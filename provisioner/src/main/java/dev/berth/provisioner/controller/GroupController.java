package dev.berth.provisioner.controller;

import dev.berth.provisioner.ec2.InstancePlugin;
import dev.berth.provisioner.ec2.ManagedInstance;
import dev.berth.provisioner.spec.GroupSpec;
import dev.berth.provisioner.store.SpecStore;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Keeps groups of instances equal to their specs: InfraKit's group plugin as a reactive pipeline.
 *
 * <p>Each group is worked on by one round at a time (commits, polls and destroys of one group
 * queue behind each other); different groups proceed in parallel. The controller's own steps run
 * on the scheduler it is given (the daemon's: its one event loop, shared with the proxy and the
 * SDK); reading and writing the spec store, which blocks, happens on
 * {@code Schedulers.boundedElastic()} and hands back to that scheduler.
 *
 * <pre>{@code
 * GroupController groups = GroupController.create(InstancePlugin.ec2(ec2), SpecStore.directory(dir),
 *     ControllerSettings.defaults(), Clock.systemUTC());
 * groups.commit(GroupSpec.parse(json), false)          // store it, run one round: instances exist
 *     .doOnNext(r -> System.out.println(r.message()))  // "Managing 3 instances"
 *     .thenMany(groups.watch())                         // then every poll interval, until cancelled
 *     .subscribe();
 * }</pre>
 */
public interface GroupController {

  /**
   * Accepts a spec: checks it against the cap and its image against EC2, stores it, and runs one
   * round, so the instances it asks for exist (pending) when the result arrives. With
   * {@code pretend}, nothing is stored and no EC2 write call is made: the result is the plan.
   * A new spec clears any backoff for one round.
   *
   * @param spec the spec
   * @param pretend whether only to plan
   * @return the result; a {@code SpecException} if the spec asks for more than the cap
   */
  Mono<CommitResult> commit(GroupSpec spec, boolean pretend);

  /**
   * Runs one round for a group, unless it is backing off: repeat launches whose outcome is
   * unknown, describe, then terminate and launch what the plan says. A group being destroyed
   * gets a destroy pass instead.
   *
   * @param groupId the group
   * @return what the round did; EC2 failures are reported in it, not as errors
   */
  Mono<RoundResult> reconcile(String groupId);

  /**
   * Runs one round for every stored group.
   *
   * @return one result per group
   */
  Flux<RoundResult> reconcileAll();

  /**
   * Reconciles every stored group now and then every poll interval, until cancelled; a restart
   * picks up where the stored state says.
   *
   * @return every round's result
   */
  Flux<RoundResult> watch();

  /**
   * A group's counts and problems.
   *
   * @param groupId the group
   * @return its status; {@link UnknownGroupException} if none is stored
   */
  Mono<GroupStatus> describe(String groupId);

  /**
   * Every stored group's status.
   *
   * @return the statuses, by group id
   */
  Flux<GroupStatus> describeAll();

  /**
   * The instances EC2 shows for a group (by its {@code infrakit.group} tag), stored or not.
   *
   * @param groupId the group
   * @return the instances, in launch order
   */
  Mono<List<ManagedInstance>> inspect(String groupId);

  /**
   * One destroy pass: marks the group as being destroyed (stored, so a restart carries on),
   * terminates every instance not already shutting down, and forgets the group only when EC2
   * shows none left. Call again (or let {@link #watch()} do it) until {@link DestroyResult#done()}.
   *
   * @param groupId the group
   * @return the pass; {@link UnknownGroupException} if none is stored
   */
  Mono<DestroyResult> destroy(String groupId);

  /**
   * Stops managing a group and forgets it, leaving its instances as they are.
   *
   * @param groupId the group
   * @return completes when forgotten; {@link UnknownGroupException} if none is stored
   */
  Mono<Void> free(String groupId);

  /**
   * A controller.
   *
   * @param plugin launches, describes and terminates instances
   * @param store keeps the desired state
   * @param settings pacing and limits
   * @param clock times backoffs and rolling-update pacing
   * @return the controller
   */
  static GroupController create(InstancePlugin plugin, SpecStore store, ControllerSettings settings, Clock clock) {
    return create(plugin, store, settings, clock, Schedulers.boundedElastic());
  }

  /**
   * A controller whose steps run on {@code scheduler}, e.g. {@code BerthRuntime.scheduler()}: the
   * event loop. Nothing it does there blocks.
   *
   * @param plugin launches, describes and terminates instances
   * @param store keeps the desired state
   * @param settings pacing and limits
   * @param clock times backoffs and rolling-update pacing
   * @param scheduler where its steps run
   * @return the controller
   */
  static GroupController create(InstancePlugin plugin, SpecStore store, ControllerSettings settings, Clock clock,
      Scheduler scheduler) {
    Objects.requireNonNull(scheduler, "scheduler");
    return new ReactiveGroupController(Objects.requireNonNull(plugin, "plugin"),
        new HandingBackStore(Objects.requireNonNull(store, "store"), scheduler),
        Objects.requireNonNull(settings, "settings"), Objects.requireNonNull(clock, "clock"), scheduler);
  }

  /**
   * The group controllers of a running Berth daemon, through its control API: the same results and
   * errors as in-process. {@link #reconcile}, {@link #reconcileAll}, {@link #watch} and
   * {@link #inspect} are refused: the daemon reconciles its groups itself.
   *
   * @param daemon the daemon's client
   * @return the controller
   */
  static GroupController daemon(dev.berth.runtime.DaemonClient daemon) {
    return new DaemonGroupController(Objects.requireNonNull(daemon, "daemon"));
  }
}
