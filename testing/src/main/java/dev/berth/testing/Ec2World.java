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

  final Clock clock;
  final Duration pending;
  final Duration shuttingDown;
  final String region;
  final String accountId;
  private final Map<String, Ec2Machine> instances = new LinkedHashMap<>();
  private final Map<String, Ec2Emulator.Image> images = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> imageTags = new HashMap<>();
  private final Map<String, TokenUse> tokens = new HashMap<>();
  private final Set<String> ids = new HashSet<>();
  private long serial;
  private int nextAddress = (1 << 8) + 4;

  record TokenUse(String fingerprint, String reservationId) {}

  Ec2World(Clock clock, Duration pending, Duration shuttingDown, String region, String accountId,
      List<Ec2Emulator.Image> images) {
    this.clock = clock;
    this.pending = pending;
    this.shuttingDown = shuttingDown;
    this.region = region;
    this.accountId = accountId;
    images.forEach(image -> {
      this.images.put(image.imageId(), image);
      this.imageTags.put(image.imageId(), new LinkedHashMap<>());
    });
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

  Ec2Emulator.Image image(String imageId) {
    return images.get(imageId);
  }

  List<Ec2Emulator.Image> images() {
    return new ArrayList<>(images.values());
  }

  Map<String, String> imageTags(String imageId) {
    return imageTags.get(imageId);
  }

  /** The tags of the resource {@code id} names, or {@code null} if there is no such resource. */
  Map<String, String> taggable(String id) {
    if (id.startsWith("i-")) {
      Ec2Machine machine = instance(id);
      return machine == null ? null : machine.tags;
    }
    return imageTags.get(id);
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
      String address = "10.0." + ((host >> 8) & 0xFF) + "." + (host & 0xFF);
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
    imageTags.values().forEach(Map::clear);
  }
}
