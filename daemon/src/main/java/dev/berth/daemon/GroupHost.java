package dev.berth.daemon;

import dev.berth.provisioner.Provisioner;
import dev.berth.provisioner.controller.CommitResult;
import dev.berth.provisioner.controller.ControllerSettings;
import dev.berth.provisioner.controller.DestroyResult;
import dev.berth.provisioner.controller.GroupController;
import dev.berth.provisioner.controller.GroupStatus;
import dev.berth.provisioner.controller.RoundResult;
import dev.berth.provisioner.controller.UnknownGroupException;
import dev.berth.provisioner.ec2.ManagedInstance;
import dev.berth.provisioner.spec.GroupSpec;
import dev.berth.provisioner.store.SpecStore;
import dev.berth.runtime.BerthRuntime;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/*
 * Design notes. The provisioner's controller is the truth (its store, one JSON file per group in the
 * groups directory, is what both the API and an operator's files write); the host only drives it:
 * its watch, on the runtime's loop, reconciles every stored group each poll interval, and each
 * round's view of its group is published — to the stream, and to the gauges /metrics shows. A group
 * that is freed or whose destroy has finished loses its gauges: /metrics shows only groups that exist.
 *
 * Reads (GET /v1/groups, the library's describe) are answered from the last round's view, at most one
 * poll interval old, as the controller itself last saw the group; a group that changed through this
 * controller (committed, freed, destroyed) is described afresh until a round begun after the change
 * has seen it. Each
 * fresh describe is one or more DescribeInstances calls with every instance of the group in the answer
 * (half a megabyte of XML for 200 instances): a monitor asking every few seconds would otherwise spend
 * the account's EC2 request quota and the daemon's CPU (bench/daemon-load.sh: two thirds of the EC2
 * calls while a group converged were its own two status reads). A group whose file an operator edits
 * shows the change after the next round, when the controller acts on it.
 */

/** The group controllers the daemon runs: every group stored in its groups directory, kept converged. */
final class GroupHost implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GroupHost.class);

  private final SpecStore store;
  private final Provisioner provisioner;
  private final MeterRegistry meters;
  private final Map<String, GroupStatus> latest = new ConcurrentHashMap<>();
  private final Map<String, List<Meter>> gauges = new ConcurrentHashMap<>();
  /** Rounds published so far, per group. */
  private final Map<String, Long> rounds = new ConcurrentHashMap<>();
  /**
   * Groups changed through {@link #controller()}, each with the rounds published when the change was
   * last recorded: read from EC2 until the second round after that is published. A round that began
   * before the change can be published after it (its result waits in the watch's merge while the
   * group's lane already runs the change), so the first one is not trusted.
   */
  private final Map<String, Long> changed = new ConcurrentHashMap<>();
  private final GroupController controller;
  private final Sinks.Many<GroupStatus> statuses = Sinks.many().multicast().directBestEffort();
  private final Disposable watch;

  GroupHost(BerthRuntime runtime, Path directory, Duration pollInterval, int maxInstancesPerGroup) {
    ControllerSettings settings = ControllerSettings.defaults().withMaxInstancesPerGroup(maxInstancesPerGroup);
    this.store = SpecStore.directory(directory);
    this.provisioner = Provisioner.builder().runtime(runtime).store(store)
        .settings(pollInterval == null ? settings : settings.withPollInterval(pollInterval)).start();
    this.meters = runtime.meters();
    this.watch = provisioner.groups().watch()
        // A round's own view of the group when it has one: describing it again would double the
        // EC2 calls and the parsing (half a megabyte of XML for 200 instances) for nothing.
        .concatMap(round -> round.status().map(Mono::just).orElseGet(() -> provisioner.groups().describe(round.groupId())
            // A destroy pass that finished the group: it is gone from the store.
            .onErrorResume(UnknownGroupException.class, gone -> Mono.fromRunnable(() -> forget(round.groupId())))
            .onErrorResume(error -> Mono.empty())))
        .subscribe(this::publish, error -> log.error("group controller stopped: {}", error.toString()));
    this.controller = new Published(provisioner.groups());
    log.info("managing the groups in {}", directory);
  }

  /**
   * The controller the API and the library act through: the provisioner's, with reads answered from
   * the last round's view, and freeing or destroying forgets the gauges.
   */
  GroupController controller() {
    return controller;
  }

  Flux<GroupStatus> statuses() {
    return statuses.asFlux();
  }

  private synchronized void publish(GroupStatus status) {
    long published = rounds.merge(status.groupId(), 1L, Long::sum);
    changed.computeIfPresent(status.groupId(), (id, changedAt) -> published > changedAt + 1 ? null : changedAt);
    if (latest.put(status.groupId(), status) == null) {
      String id = status.groupId();
      gauges.put(id, List.of(
          gauge("berth.group.desired", "Instances a group's spec asks for", id, GroupStatus::desired),
          gauge("berth.group.running", "Instances of a group that run", id, GroupStatus::running),
          gauge("berth.group.outdated", "Instances of a group with another configuration than its spec's", id,
              GroupStatus::outdated)));
    }
    statuses.tryEmitNext(status);
  }

  private synchronized void forget(String groupId) {
    rounds.remove(groupId);
    changed.remove(groupId);
    if (latest.remove(groupId) != null) {
      gauges.remove(groupId).forEach(meters::remove);
    }
  }

  private Meter gauge(String name, String description, String groupId, java.util.function.ToIntFunction<GroupStatus> value) {
    return Gauge.builder(name, latest, all -> all.containsKey(groupId) ? value.applyAsInt(all.get(groupId)) : 0)
        .description(description).tag("group", groupId).register(meters);
  }

  /** The last round's view of a group, unless it changed since (then empty). */
  private Optional<GroupStatus> lastSeen(String groupId) {
    GroupStatus seen = latest.get(groupId);
    return seen == null || changed.containsKey(groupId) ? Optional.empty() : Optional.of(seen);
  }

  /** Records a change to a group: as it is asked for, and again once it is done. */
  private synchronized void changing(String groupId) {
    changed.put(groupId, rounds.getOrDefault(groupId, 0L));
  }

  /** The provisioner's controller as the host publishes it: a freed group, or one whose destroy has finished, is forgotten here too. */
  private final class Published implements GroupController {
    private final GroupController groups;

    Published(GroupController groups) {
      this.groups = groups;
    }

    @Override
    public Mono<DestroyResult> destroy(String groupId) {
      changing(groupId);
      return groups.destroy(groupId).doOnNext(result -> {
        changing(groupId);
        if (result.done()) {
          forget(groupId);
        }
      });
    }

    @Override
    public Mono<Void> free(String groupId) {
      changing(groupId);
      return groups.free(groupId).doOnSuccess(freed -> forget(groupId));
    }

    @Override
    public Mono<CommitResult> commit(GroupSpec spec, boolean pretend) {
      if (pretend) {
        return groups.commit(spec, true);
      }
      changing(spec.id());
      return groups.commit(spec, false).doOnNext(committed -> changing(spec.id()));
    }

    @Override
    public Mono<RoundResult> reconcile(String groupId) {
      return groups.reconcile(groupId);
    }

    @Override
    public Flux<RoundResult> reconcileAll() {
      return groups.reconcileAll();
    }

    @Override
    public Flux<RoundResult> watch() {
      return groups.watch();
    }

    @Override
    public Mono<GroupStatus> describe(String groupId) {
      Optional<GroupStatus> seen = lastSeen(groupId);
      if (seen.isEmpty()) {
        return groups.describe(groupId);
      }
      // Still stored? An operator may have deleted its file: then it is forgotten, and the
      // controller's describe answers that it does not exist.
      return store.load(groupId).map(stored -> seen.get())
          .switchIfEmpty(Mono.defer(() -> {
            forget(groupId);
            return groups.describe(groupId);
          }));
    }

    @Override
    public Flux<GroupStatus> describeAll() {
      Set<String> stored = ConcurrentHashMap.newKeySet();
      return store.list().doOnNext(group -> stored.add(group.id())).concatMap(group -> describe(group.id()))
          // Groups whose files an operator deleted: forgotten here, gauges included.
          .doOnComplete(() -> latest.keySet().stream().filter(id -> !stored.contains(id)).toList()
              .forEach(GroupHost.this::forget));
    }

    @Override
    public Mono<List<ManagedInstance>> inspect(String groupId) {
      return groups.inspect(groupId);
    }
  }

  /** Stops reconciling: a round in flight is cancelled where it stands, which its stored state allows. */
  @Override
  public void close() {
    watch.dispose();
    statuses.tryEmitComplete();
    provisioner.close();
  }
}
