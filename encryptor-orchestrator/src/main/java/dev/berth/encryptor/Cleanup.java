package dev.berth.encryptor;

import dev.berth.provisioner.ec2.Ec2CallException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * Deletes what a session created and did not keep, in {@link ResourceKind} order: terminate the
 * instances and wait until they are gone, deregister the images (and delete their snapshots),
 * delete snapshots, volumes and security groups. What to delete comes from the journal and, after
 * a failure, a crash or a cancel, also from the session tag, which catches a resource whose create
 * call was answered after the journal last heard of it.
 *
 * <p>Design notes: each deletion retries on throttling, 5xx and "still in use" (a snapshot whose
 * image is being deregistered, a group whose instance is still shutting down) with exponential
 * backoff; "not found" means already gone. Whatever still fails is reported, never swallowed.
 */
final class Cleanup {

  private static final Logger LOG = LoggerFactory.getLogger("berth-encryptor");
  private static final Set<String> GONE = Set.of("InvalidInstanceID.NotFound", "InvalidAMIID.NotFound",
      "InvalidAMIID.Unavailable", "InvalidSnapshot.NotFound", "InvalidVolume.NotFound", "InvalidGroup.NotFound");
  private static final Set<String> BUSY = Set.of("InvalidSnapshot.InUse", "VolumeInUse", "DependencyViolation",
      "IncorrectState", "IncorrectInstanceState");
  private static final List<String> LIVE_STATES = List.of("pending", "running", "stopping", "stopped", "shutting-down");

  private final Ec2AsyncClient ec2;
  private final Ec2Waits waits;
  private final Duration retryBase;
  private final Duration terminateLimit;

  Cleanup(Ec2AsyncClient ec2, Ec2Waits waits, Duration retryBase, Duration terminateLimit) {
    this.ec2 = ec2;
    this.waits = waits;
    this.retryBase = retryBase;
    this.terminateLimit = terminateLimit;
  }

  /**
   * Deletes {@code journalIds} but {@code kept}, plus (with {@code byTag}) whatever carries the
   * session's tag and is not verified, and records each deletion in {@code journal} if there is one.
   */
  Mono<CleanupReport> run(String sessionId, Collection<String> journalIds, Set<String> kept, boolean byTag,
      Journal journal) {
    Set<String> known = new LinkedHashSet<>(journalIds);
    known.removeAll(kept);
    List<String> deleted = Collections.synchronizedList(new ArrayList<>());
    List<CleanupReport.Leftover> leftovers = Collections.synchronizedList(new ArrayList<>());
    Filter session = SessionTags.sessionFilter(sessionId);
    Step step = new Step(deleted, leftovers, journal);

    Mono<Set<String>> instances = discover(known, ResourceKind.INSTANCE, byTag, () -> Ec2Waits.call(ec2, () ->
        ec2.describeInstances(r -> r.filters(session, Filter.builder().name("instance-state-name").values(LIVE_STATES).build())))
        .map(r -> ids(r.reservations().stream().flatMap(v -> v.instances().stream())
            .map(i -> i.instanceId()).toList())));
    Mono<Set<String>> images = discover(known, ResourceKind.IMAGE, byTag, () -> Ec2Waits.call(ec2, () ->
        ec2.describeImages(r -> r.owners("self").filters(session)))
        .map(r -> ids(r.images().stream().filter(i -> !verified(i.tags())).map(Image::imageId).toList())));
    Set<String> imageSnapshots = Collections.synchronizedSet(new LinkedHashSet<>());
    Mono<Set<String>> snapshots = discover(known, ResourceKind.SNAPSHOT, byTag, () -> Ec2Waits.call(ec2, () ->
        ec2.describeSnapshots(r -> r.ownerIds("self").filters(session)))
        .map(r -> ids(r.snapshots().stream().filter(s -> !verified(s.tags())).map(s -> s.snapshotId()).toList())))
        .map(found -> {
          found.addAll(imageSnapshots);
          found.removeAll(kept);
          return found;
        });
    Mono<Set<String>> volumes = discover(known, ResourceKind.VOLUME, byTag, () -> Ec2Waits.call(ec2, () ->
        ec2.describeVolumes(r -> r.filters(session))).map(r -> ids(r.volumes().stream().map(v -> v.volumeId()).toList())));
    Mono<Set<String>> groups = discover(known, ResourceKind.SECURITY_GROUP, byTag, () -> Ec2Waits.call(ec2, () ->
        ec2.describeSecurityGroups(r -> r.filters(session))).map(r -> ids(r.securityGroups().stream().map(g -> g.groupId()).toList())));

    return instances.flatMap(ids -> terminate(ids, step))
        .then(images.flatMap(ids -> Flux.fromIterable(ids).concatMap(id -> snapshotsOf(id)
            .doOnNext(imageSnapshots::addAll)
            .then(step.delete(id, () -> ec2.deregisterImage(r -> r.imageId(id))))).then()))
        .then(snapshots.flatMap(ids -> Flux.fromIterable(ids)
            .concatMap(id -> step.delete(id, () -> ec2.deleteSnapshot(r -> r.snapshotId(id)))).then()))
        .then(volumes.flatMap(ids -> Flux.fromIterable(ids)
            .concatMap(id -> step.delete(id, () -> ec2.deleteVolume(r -> r.volumeId(id)))).then()))
        .then(groups.flatMap(ids -> Flux.fromIterable(ids)
            .concatMap(id -> step.delete(id, () -> ec2.deleteSecurityGroup(r -> r.groupId(id)))).then()))
        .then(Mono.fromSupplier(() -> new CleanupReport(sessionId, List.copyOf(deleted), List.copyOf(leftovers))));
  }

  private Mono<Void> terminate(Set<String> ids, Step step) {
    if (ids.isEmpty()) {
      return Mono.empty();
    }
    List<String> terminating = Collections.synchronizedList(new ArrayList<>());
    return Flux.fromIterable(ids)
        .concatMap(id -> retried(Ec2Waits.call(ec2, () -> ec2.terminateInstances(r -> r.instanceIds(id))).then())
            .then(Mono.fromRunnable(() -> terminating.add(id)))
            .onErrorResume(Ec2CallException.class, e -> GONE.contains(e.code()) ? step.gone(id) : step.failed(id, e)))
        .then(Mono.defer(() -> terminating.isEmpty() ? Mono.empty()
            : waits.instancesTerminated(List.copyOf(terminating), terminateLimit)
                .thenMany(Flux.fromIterable(List.copyOf(terminating)).concatMap(step::gone))
                .onErrorResume(e -> Flux.fromIterable(List.copyOf(terminating)).concatMap(id -> step.failed(id, e)))
                .then()));
  }

  private Mono<List<String>> snapshotsOf(String imageId) {
    return Ec2Waits.call(ec2, () -> ec2.describeImages(r -> r.imageIds(imageId)))
        .map(r -> r.images().stream().flatMap(i -> i.blockDeviceMappings().stream())
            .filter(m -> m.ebs() != null && m.ebs().snapshotId() != null).map(m -> m.ebs().snapshotId()).toList())
        .onErrorResume(e -> Mono.just(List.of()));
  }

  private Mono<Set<String>> discover(Set<String> known, ResourceKind kind, boolean byTag, Supplier<Mono<Set<String>>> byTags) {
    Set<String> fromJournal = new LinkedHashSet<>(known.stream().filter(id -> ResourceKind.of(id) == kind).toList());
    if (!byTag) {
      return Mono.just(fromJournal);
    }
    return Mono.defer(byTags).map(found -> {
      fromJournal.addAll(found);
      return fromJournal;
    }).onErrorResume(e -> {
      LOG.warn("could not list {} resources by tag: {}", kind.name().toLowerCase(java.util.Locale.ROOT), e.getMessage());
      return Mono.just(fromJournal);
    });
  }

  private <T> Mono<T> retried(Mono<T> call) {
    return call.retryWhen(Retry.backoff(5, retryBase).maxBackoff(retryBase.multipliedBy(16))
        .filter(e -> e instanceof Ec2CallException c && (BUSY.contains(c.code()) || c.kind() != Ec2CallException.Kind.PERMANENT))
        .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
  }

  private static boolean verified(List<Tag> tags) {
    return SessionTags.value(tags, SessionTags.VERIFIED) != null;
  }

  private static Set<String> ids(List<String> ids) {
    return new LinkedHashSet<>(ids);
  }

  /** Records each outcome: the report's lists and the journal's {@code deleted} lines. */
  private final class Step {
    private final List<String> deleted;
    private final List<CleanupReport.Leftover> leftovers;
    private final Journal journal;

    Step(List<String> deleted, List<CleanupReport.Leftover> leftovers, Journal journal) {
      this.deleted = deleted;
      this.leftovers = leftovers;
      this.journal = journal;
    }

    <T> Mono<Void> delete(String id, Supplier<CompletableFuture<T>> call) {
      return retried(Ec2Waits.call(ec2, call)).then(gone(id))
          .onErrorResume(Ec2CallException.class, e -> GONE.contains(e.code()) ? gone(id) : failed(id, e));
    }

    Mono<Void> gone(String id) {
      LOG.info("cleanup: deleted {}", id);
      deleted.add(id);
      return journal == null ? Mono.empty() : journal.deleted(id);
    }

    Mono<Void> failed(String id, Throwable e) {
      String reason = e instanceof Ec2CallException c ? c.code() + ": " + c.getMessage() : String.valueOf(e.getMessage());
      LOG.warn("cleanup: could not delete {}: {}", id, reason);
      leftovers.add(new CleanupReport.Leftover(id, reason));
      return Mono.empty();
    }
  }
}
