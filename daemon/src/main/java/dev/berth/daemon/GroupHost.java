package dev.berth.daemon;

import dev.berth.provisioner.Provisioner;
import dev.berth.provisioner.controller.ControllerSettings;
import dev.berth.provisioner.controller.GroupController;
import dev.berth.provisioner.controller.GroupStatus;
import dev.berth.runtime.BerthRuntime;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
 * round's view of its group is published — to the stream, and to the gauges /metrics shows.
 */

/** The group controllers the daemon runs: every group stored in its groups directory, kept converged. */
final class GroupHost implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GroupHost.class);

  private final Provisioner provisioner;
  private final MeterRegistry meters;
  private final Map<String, GroupStatus> latest = new ConcurrentHashMap<>();
  private final Sinks.Many<GroupStatus> statuses = Sinks.many().multicast().directBestEffort();
  private final Disposable watch;

  GroupHost(BerthRuntime runtime, Path directory, Duration pollInterval, int maxInstancesPerGroup) {
    ControllerSettings settings = ControllerSettings.defaults().withMaxInstancesPerGroup(maxInstancesPerGroup);
    this.provisioner = Provisioner.builder().runtime(runtime).stateDirectory(directory)
        .settings(pollInterval == null ? settings : settings.withPollInterval(pollInterval)).start();
    this.meters = runtime.meters();
    this.watch = provisioner.groups().watch()
        // A round's own view of the group when it has one: describing it again would double the
        // EC2 calls and the parsing (half a megabyte of XML for 200 instances) for nothing.
        .concatMap(round -> round.status().map(Mono::just).orElseGet(() -> provisioner.groups().describe(round.groupId())
            .onErrorResume(error -> Mono.empty())))
        .subscribe(this::publish, error -> log.error("group controller stopped: {}", error.toString()));
    log.info("managing the groups in {}", directory);
  }

  GroupController controller() {
    return provisioner.groups();
  }

  Flux<GroupStatus> statuses() {
    return statuses.asFlux();
  }

  private synchronized void publish(GroupStatus status) {
    if (latest.put(status.groupId(), status) == null) {
      String id = status.groupId();
      gauge("berth.group.desired", "Instances a group's spec asks for", id, GroupStatus::desired);
      gauge("berth.group.running", "Instances of a group that run", id, GroupStatus::running);
      gauge("berth.group.outdated", "Instances of a group with another configuration than its spec's", id,
          GroupStatus::outdated);
    }
    statuses.tryEmitNext(status);
  }

  private void gauge(String name, String description, String groupId, java.util.function.ToIntFunction<GroupStatus> value) {
    Gauge.builder(name, latest, all -> all.containsKey(groupId) ? value.applyAsInt(all.get(groupId)) : 0)
        .description(description).tag("group", groupId).register(meters);
  }

  /** Stops reconciling: a round in flight is cancelled where it stands, which its stored state allows. */
  @Override
  public void close() {
    watch.dispose();
    statuses.tryEmitComplete();
    provisioner.close();
  }
}
