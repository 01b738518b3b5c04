package dev.berth.encryptor;

import dev.berth.provisioner.ec2.Ec2CallException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Volume;

/**
 * {@code share-logs --instance ID --to-account N}: a snapshot of the instance's root volume,
 * shared with account N ({@code createVolumePermission}), journaled and tagged like every run's
 * resources, so a failure or a crash leaves no snapshot behind.
 */
final class LogSharing {

  private static final Logger LOG = LoggerFactory.getLogger("berth-encryptor");
  static final Duration LIMIT = Duration.ofHours(2);

  private final Ec2AsyncClient ec2;
  private final Ec2Waits waits;
  private final RunEndings endings;
  private final Path stateDir;
  private final reactor.core.scheduler.Scheduler home;
  private final Clock clock;
  private final java.util.Map<String, Journal> open;

  LogSharing(Ec2AsyncClient ec2, Ec2Waits waits, RunEndings endings, Path stateDir, Clock clock,
      java.util.Map<String, Journal> open, reactor.core.scheduler.Scheduler home) {
    this.open = open;
    this.home = home;
    this.ec2 = ec2;
    this.waits = waits;
    this.endings = endings;
    this.stateDir = stateDir;
    this.clock = clock;
  }

  Mono<SharedLogs> share(String instanceId, String account, Session session) {
    if (!account.matches("\\d{12}")) {
      return Mono.error(EncryptorException.invalid("--to-account '" + account + "' is not an AWS account id; expected twelve digits"));
    }
    return rootVolume(instanceId).flatMap(volume -> Journal.start(stateDir, session, "share-logs " + instanceId, clock, home)
        .doOnNext(journal -> open.put(session.id(), journal))
        .flatMap(journal -> snapshot(volume, instanceId, account, session, journal)
            .timeout(LIMIT)
            .onErrorResume(e -> endings.fail(session, journal, "share-logs", LIMIT, e))
            .doOnTerminate(() -> open.remove(session.id()))));
  }

  private Mono<SharedLogs> snapshot(Volume volume, String instanceId, String account, Session session, Journal journal) {
    return journal.creating(ResourceKind.SNAPSHOT, session.id() + "-logs")
        .then(journal.create(ec2, () -> ec2.createSnapshot(r -> r.volumeId(volume.volumeId())
            .description("berth-encryptor share-logs of " + instanceId + " for " + account + ", session " + session.id())
            .tagSpecifications(SessionTags.specifications(SessionTags.of(session.id(), java.util.Map.of()),
                ResourceType.SNAPSHOT)))))
        .flatMap(r -> journal.created(r.snapshotId()).thenReturn(r.snapshotId()))
        .flatMap(id -> waits.snapshotCompleted(id, LIMIT)
            .then(Ec2Waits.call(ec2, () -> ec2.modifySnapshotAttribute(r -> r.snapshotId(id)
                .attribute("createVolumePermission").operationType("add").userIds(account))))
            .then(endings.keep(session, journal, List.of(id)))
            .then(endings.succeed(session, journal,
                new SharedLogs(id, account, Optional.ofNullable(Boolean.TRUE.equals(volume.encrypted()) ? volume.kmsKeyId() : null)))))
        .doOnNext(shared -> LOG.info("{}", shared.grantAdvice()));
  }

  private Mono<Volume> rootVolume(String instanceId) {
    if (!instanceId.matches("i-([0-9a-f]{8}|[0-9a-f]{17})")) {
      return Mono.error(EncryptorException.invalid("--instance '" + instanceId + "' is not an instance id; expected i- and 8 or 17 hex digits"));
    }
    return Ec2Waits.call(ec2, () -> ec2.describeInstances(r -> r.instanceIds(instanceId)))
        .map(r -> r.reservations().get(0).instances().get(0))
        .onErrorMap(e -> e instanceof Ec2CallException c && c.code().startsWith("InvalidInstanceID"),
            e -> EncryptorException.invalid("--instance " + instanceId + " does not exist in this region; expected an instance id"))
        .flatMap(i -> rootVolumeId(i).map(id -> Ec2Waits.call(ec2, () -> ec2.describeVolumes(r -> r.volumeIds(id)))
                .map(r -> r.volumes().get(0)))
            .orElseGet(() -> Mono.error(EncryptorException.invalid("--instance " + instanceId
                + " has no EBS root volume attached; expected an instance with one"))));
  }

  private static Optional<String> rootVolumeId(Instance instance) {
    return instance.blockDeviceMappings().stream()
        .filter(m -> m.deviceName().equals(instance.rootDeviceName()) && m.ebs() != null)
        .map(m -> m.ebs().volumeId()).findFirst();
  }
}
