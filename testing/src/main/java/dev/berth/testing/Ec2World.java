package dev.berth.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Everything the emulated account holds: instances, images and used client tokens, behind one
 * monitor. Actions run whole under that monitor, so a launch and its tags appear together or not
 * at all, as at EC2.
 *
 * <p>Design notes: a resource family (instances, images; later volumes and snapshots) is a map
 * here plus an action class that reads and writes it; {@link #taggable(String)} is the one place
 * that resolves an id to its tags, so {@code CreateTags} works for every family.
 */
final class Ec2World {

  /** How long a terminated instance stays visible to DescribeInstances, as at EC2. */
  static final Duration TERMINATED_VISIBLE = Duration.ofHours(1);

  /** The two VPCs every emulated account has, each with one subnet and a default security group. */
  static final Map<String, String> SUBNET_VPCS = Map.of(
      "subnet-0a1b2c3d4e5f60718", "vpc-0c1f5a2b3d4e6f708",
      "subnet-0b2c3d4e5f6071829", "vpc-0d2e6f7a8b9c0d1e2");

  final Clock clock;
  final Duration pending;
  final Duration shuttingDown;
  final Duration copying;
  final boolean loopback;
  final String region;
  final String accountId;
  final String defaultKmsKeyId;
  private final Map<String, Ec2Machine> instances = new LinkedHashMap<>();
  private final Map<String, Ec2Ami> images = new LinkedHashMap<>();
  private final Map<String, Ec2Snapshot> snapshots = new LinkedHashMap<>();
  private final Map<String, Ec2Volume> volumes = new LinkedHashMap<>();
  private final Map<String, Ec2SecurityGroup> groups = new LinkedHashMap<>();
  private final Map<String, TokenUse> tokens = new HashMap<>();
  private final Set<String> ids = new HashSet<>();
  private long serial;
  private int nextAddress = (1 << 8) + 4;

  record TokenUse(String fingerprint, String reservationId) {}

  Ec2World(Clock clock, Duration pending, Duration shuttingDown, Duration copying, boolean loopback, String region,
      String accountId, List<Ec2Emulator.Image> images) {
    this.clock = clock;
    this.pending = pending;
    this.shuttingDown = shuttingDown;
    this.copying = copying;
    this.loopback = loopback;
    this.region = region;
    this.accountId = accountId;
    this.defaultKmsKeyId = kmsArn("0e1d2c3b-4a59-4687-9a0b-ebsdefault01");
    images.forEach(this::addBuiltIn);
    SUBNET_VPCS.values().stream().sorted().forEach(vpc -> {
      String id = "sg-" + vpc.substring(4);
      groups.put(id, new Ec2SecurityGroup(nextSerial(), id, "default", "default VPC security group", vpc, accountId, true));
    });
  }

  /** A key id, alias name or ARN as EC2 records it on a snapshot: a key id becomes its ARN. */
  String kmsArn(String keyId) {
    if (keyId.startsWith("arn:")) {
      return keyId;
    }
    String kind = keyId.startsWith("alias/") ? "" : "key/";
    return "arn:aws:kms:" + region + ":" + accountId + ":" + kind + keyId;
  }

  private void addBuiltIn(Ec2Emulator.Image image) {
    Instant created = Instant.parse("2016-10-20T00:00:00Z");
    Ec2Snapshot snapshot = new Ec2Snapshot(nextSerial(), "snap-" + image.imageId().substring(4), "vol-ffffffff", 8,
        image.encrypted(), image.encrypted() ? defaultKmsKeyId : null, image.ownerId(), "", created, Duration.ZERO,
        true);
    snapshots.put(snapshot.snapshotId, snapshot);
    Ec2Ami ami = new Ec2Ami(nextSerial(), image.imageId(), image.name(), "", image.ownerId(), "/dev/xvda", "hvm",
        List.of(new Ec2Ami.Mapping("/dev/xvda", snapshot, 8, "gp2", true)), image.productCodes(), created,
        Duration.ZERO, true);
    this.images.put(ami.imageId, ami);
  }

  Instant now() {
    return clock.instant();
  }

  String state(Ec2Machine machine) {
    return machine.state(now(), pending, shuttingDown);
  }

  /** Every instance still visible, in launch order; long-terminated ones are forgotten. */
  List<Ec2Machine> instances() {
    Instant now = now();
    instances.values().removeIf(m -> m.terminatedAt != null
        && now.isAfter(m.terminatedAt.plus(shuttingDown).plus(TERMINATED_VISIBLE)));
    return new ArrayList<>(instances.values());
  }

  /** Every visible instance as a test sees it, at the clock's time. */
  synchronized List<Ec2Emulator.Instance> snapshots() {
    return instances().stream().map(m -> m.snapshot(state(m))).toList();
  }

  synchronized Optional<Ec2Emulator.Instance> snapshot(String instanceId) {
    return Optional.ofNullable(instance(instanceId)).map(m -> m.snapshot(state(m)));
  }

  Ec2Machine instance(String instanceId) {
    instances();
    return instances.get(instanceId);
  }

  void add(Ec2Machine machine) {
    instances.put(machine.instanceId, machine);
  }

  long nextSerial() {
    return ++serial;
  }

  /** A visible (not deregistered) image, or {@code null}. */
  Ec2Ami image(String imageId) {
    Ec2Ami ami = images.get(imageId);
    return ami == null || ami.deregistered ? null : ami;
  }

  /** Every visible image, in registration order. */
  List<Ec2Ami> images() {
    return images.values().stream().filter(a -> !a.deregistered).toList();
  }

  void add(Ec2Ami ami) {
    images.put(ami.imageId, ami);
  }

  Ec2Snapshot ebsSnapshot(String snapshotId) {
    return snapshots.get(snapshotId);
  }

  List<Ec2Snapshot> snapshotList() {
    return new ArrayList<>(snapshots.values());
  }

  void add(Ec2Snapshot snapshot) {
    snapshots.put(snapshot.snapshotId, snapshot);
  }

  void remove(Ec2Snapshot snapshot) {
    snapshots.remove(snapshot.snapshotId);
  }

  /** Every volume that still exists: those deleted with their terminated instance are gone. */
  List<Ec2Volume> volumeList() {
    for (Ec2Volume volume : new ArrayList<>(volumes.values())) {
      if (volume.attachedTo != null && "terminated".equals(state(volume.attachedTo))) {
        if (volume.deleteOnTermination) {
          volumes.remove(volume.volumeId);
        } else {
          volume.attachedTo = null;
        }
      }
    }
    return new ArrayList<>(volumes.values());
  }

  Ec2Volume volume(String volumeId) {
    volumeList();
    return volumes.get(volumeId);
  }

  void add(Ec2Volume volume) {
    volumes.put(volume.volumeId, volume);
  }

  void remove(Ec2Volume volume) {
    volumes.remove(volume.volumeId);
  }

  /** The volumes attached to {@code machine}, in attachment order. */
  List<Ec2Volume> volumesOf(Ec2Machine machine) {
    return volumeList().stream().filter(v -> v.attachedTo == machine).toList();
  }

  Ec2SecurityGroup group(String groupId) {
    return groups.get(groupId);
  }

  List<Ec2SecurityGroup> groupList() {
    return new ArrayList<>(groups.values());
  }

  void add(Ec2SecurityGroup group) {
    groups.put(group.groupId, group);
  }

  void remove(Ec2SecurityGroup group) {
    groups.remove(group.groupId);
  }

  /** The tags of the resource {@code id} names, or {@code null} if there is no such resource. */
  Map<String, String> taggable(String id) {
    if (id.startsWith("i-")) {
      Ec2Machine machine = instance(id);
      return machine == null ? null : machine.tags;
    }
    Object found = id.startsWith("ami-") ? image(id) : id.startsWith("snap-") ? snapshots.get(id)
        : id.startsWith("vol-") ? volume(id) : id.startsWith("sg-") ? groups.get(id) : null;
    if (found instanceof Ec2Ami ami) {
      return ami.tags;
    }
    if (found instanceof Ec2Snapshot snapshot) {
      return snapshot.tags;
    }
    if (found instanceof Ec2Volume volume) {
      return volume.tags;
    }
    return found instanceof Ec2SecurityGroup group ? group.tags : null;
  }

  /** Every resource made through the API that still exists, by id: what a clean test leaves empty. */
  synchronized Map<String, Map<String, String>> created() {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    instances().stream().filter(m -> !"terminated".equals(state(m))).forEach(m -> out.put(m.instanceId, Map.copyOf(m.tags)));
    images().stream().filter(a -> !a.builtIn).forEach(a -> out.put(a.imageId, Map.copyOf(a.tags)));
    snapshots.values().stream().filter(s -> !s.builtIn).forEach(s -> out.put(s.snapshotId, Map.copyOf(s.tags)));
    volumeList().forEach(v -> out.put(v.volumeId, Map.copyOf(v.tags)));
    groups.values().stream().filter(g -> !g.builtIn).forEach(g -> out.put(g.groupId, Map.copyOf(g.tags)));
    return out;
  }

  TokenUse token(String clientToken) {
    return tokens.get(clientToken);
  }

  void useToken(String clientToken, String fingerprint, String reservationId) {
    tokens.put(clientToken, new TokenUse(fingerprint, reservationId));
  }

  /** Pending and running instances: what counts against capacity. */
  int live() {
    return (int) instances().stream().filter(m -> m.terminatedAt == null).count();
  }

  boolean addressInUse(String address) {
    return instances().stream().anyMatch(m -> address.equals(m.privateIpAddress) && !"terminated".equals(state(m)));
  }

  String nextAddress() {
    while (true) {
      int host = nextAddress++;
      // With loopback addresses a test reaches what an emulated instance serves (an encryptor's
      // status port) on this machine, and nothing ever leaves it.
      String address = (loopback ? "127.0." : "10.0.") + ((host >> 8) & 0xFF) + "." + (host & 0xFF);
      if ((host & 0xFF) >= 4 && (host & 0xFF) < 255 && !addressInUse(address)) {
        return address;
      }
    }
  }

  /** {@code prefix-} and 17 random hex digits, never handed out twice. */
  String newId(String prefix) {
    while (true) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      String id = prefix + "-" + String.format(Locale.ROOT, "%02x%015x", random.nextInt(256), random.nextLong() >>> 4);
      if (ids.add(id)) {
        return id;
      }
    }
  }

  synchronized void reset() {
    tokens.clear();
    instances.clear();
    volumes.clear();
    images.values().removeIf(a -> !a.builtIn);
    images.values().forEach(a -> a.tags.clear());
    snapshots.values().removeIf(s -> !s.builtIn);
    groups.values().removeIf(g -> !g.builtIn);
  }
}
