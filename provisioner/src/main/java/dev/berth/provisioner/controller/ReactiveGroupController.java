package dev.berth.provisioner.controller;

import dev.berth.provisioner.ec2.InstancePlugin;
import dev.berth.provisioner.ec2.ManagedInstance;
import dev.berth.provisioner.spec.GroupSpec;
import dev.berth.provisioner.spec.SpecException;
import dev.berth.provisioner.store.SpecStore;
import dev.berth.provisioner.store.StoredGroup;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * {@link GroupController} over an {@link InstancePlugin} and a {@link SpecStore}.
 *
 * <p>Design notes: the store is the truth; nothing about a group lives only in memory except
 * its {@link Lane} and its rolling-update {@link Pacing}. Every mutation of a group goes through
 * its lane, so a commit never interleaves with a poll round or a destroy pass.
 */
final class ReactiveGroupController implements GroupController {

  private static final Logger log = LoggerFactory.getLogger(ReactiveGroupController.class);

  private final InstancePlugin plugin;
  private final SpecStore store;
  private final ControllerSettings settings;
  private final Scheduler scheduler;
  private final Rounds rounds;
  private final ConcurrentMap<String, Lane> lanes = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Pacing> pacing = new ConcurrentHashMap<>();

  ReactiveGroupController(InstancePlugin plugin, SpecStore store, ControllerSettings settings, Clock clock,
      Scheduler scheduler) {
    this.plugin = plugin;
    this.store = store;
    this.settings = settings;
    this.scheduler = scheduler;
    this.rounds = new Rounds(plugin, store, settings, clock, scheduler);
  }

  @Override
  public Mono<CommitResult> commit(GroupSpec spec, boolean pretend) {
    return Mono.defer(() -> {
      checkCap(spec);
      Mono<Void> image = plugin.checkImage(spec.instance().runInstances().imageId()).publishOn(scheduler);
      if (pretend) {
        return image.then(plugin.describe(spec.id(), false).publishOn(scheduler))
            .map(observed -> new CommitResult(spec.id(), spec.allocation().count(), Planner.summary(spec, observed), true,
                Optional.empty()));
      }
      return image.then(lane(spec.id()).run(store.load(spec.id())
          .map(stored -> stored.withSpec(spec))
          .defaultIfEmpty(StoredGroup.committed(spec))
          .flatMap(stored -> store.save(stored).thenReturn(stored))
          .flatMap(stored -> {
            log.info("{}: committed, configuration {}, {} instances", spec.id(), spec.configHash(), spec.allocation().count());
            Pacing groupPacing = pacing(spec.id());
            groupPacing.reset();
            return rounds.reconcile(stored, groupPacing, true);
          })))
          .map(round -> new CommitResult(spec.id(), spec.allocation().count(), round.plan(), false, round.problem()));
    });
  }

  @Override
  public Mono<RoundResult> reconcile(String groupId) {
    return lane(groupId).run(load(groupId).flatMap(group -> group.destroying()
        ? rounds.destroyPass(group).map(pass -> new RoundResult(groupId, 0, pass.terminated(),
            new PlanSummary(0, Math.max(0, pass.remaining()), 0), false, pass.problem(), Optional.empty()))
        : rounds.reconcile(group, pacing(groupId), false)));
  }

  @Override
  public Flux<RoundResult> reconcileAll() {
    return store.list().flatMap(group -> reconcile(group.id())
        .onErrorResume(UnknownGroupException.class, e -> Mono.empty())
        .onErrorResume(e -> {
          log.error("{}: round failed: {}", group.id(), e.toString());
          return Mono.empty();
        }), 4);
  }

  @Override
  public Flux<RoundResult> watch() {
    return Flux.interval(java.time.Duration.ZERO, settings.pollInterval(), scheduler)
        .onBackpressureDrop()
        .concatMap(tick -> reconcileAll(), 1);
  }

  @Override
  public Mono<GroupStatus> describe(String groupId) {
    return load(groupId).flatMap(this::status);
  }

  @Override
  public Flux<GroupStatus> describeAll() {
    return store.list().concatMap(this::status);
  }

  @Override
  public Mono<List<ManagedInstance>> inspect(String groupId) {
    return plugin.describe(groupId, false).publishOn(scheduler);
  }

  @Override
  public Mono<DestroyResult> destroy(String groupId) {
    return lane(groupId).run(load(groupId).flatMap(group -> rounds.destroyPass(group)
        .doOnNext(pass -> {
          if (pass.done()) {
            pacing.remove(groupId);
          }
        })));
  }

  @Override
  public Mono<Void> free(String groupId) {
    return lane(groupId).run(load(groupId).flatMap(group -> store.delete(groupId)
        .doOnSuccess(v -> {
          pacing.remove(groupId);
          log.info("{}: freed; its instances are left as they are", groupId);
        })));
  }

  private Mono<GroupStatus> status(StoredGroup group) {
    return plugin.describe(group.spec().id(), false).publishOn(scheduler).map(observed -> GroupStatus.of(group, observed));
  }

  private void checkCap(GroupSpec spec) {
    int cap = settings.maxInstancesPerGroup();
    if (spec.allocation().count() > cap) {
      throw new SpecException(spec.allocation().logicalIds().isEmpty() ? "$.Properties.Allocation.Size"
          : "$.Properties.Allocation.LogicalIDs", spec.allocation().count() + " instances exceed the limit of " + cap
          + " per group; raise the limit explicitly (--max-instances) if that many is meant");
    }
    if (spec.allocation().logicalIds().isEmpty() && spec.allocation().count() + spec.updating().surge() > cap) {
      throw new SpecException("$.Properties.Updating.Surge", "Size + Surge (" + spec.allocation().count() + " + "
          + spec.updating().surge() + ") exceeds the limit of " + cap + " per group; lower Surge or raise --max-instances");
    }
  }

  private Mono<StoredGroup> load(String groupId) {
    return store.load(groupId).switchIfEmpty(Mono.error(() -> new UnknownGroupException(groupId)));
  }

  private Lane lane(String groupId) {
    return lanes.computeIfAbsent(groupId, id -> new Lane());
  }

  private Pacing pacing(String groupId) {
    return pacing.computeIfAbsent(groupId, id -> new Pacing());
  }

}
