package dev.berth.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One EBS snapshot inside the emulator. Like an instance, its state is derived from the clock:
 * pending until {@code startTime + completeAfter}, then completed. Mutable fields are guarded by
 * the {@link Ec2World}.
 */
final class Ec2Snapshot {

  final long serial;
  final String snapshotId;
  final String volumeId;
  final int volumeSize;
  final boolean encrypted;
  final String kmsKeyId;
  final String ownerId;
  final String description;
  final Instant startTime;
  final Duration completeAfter;
  final Map<String, String> tags = new LinkedHashMap<>();
  final Set<String> createVolumePermissions = new LinkedHashSet<>();
  // Built-in snapshots (those of the catalogue's images) are never reported as leftovers.
  final boolean builtIn;

  Ec2Snapshot(long serial, String snapshotId, String volumeId, int volumeSize, boolean encrypted, String kmsKeyId,
      String ownerId, String description, Instant startTime, Duration completeAfter, boolean builtIn) {
    this.serial = serial;
    this.snapshotId = snapshotId;
    this.volumeId = volumeId;
    this.volumeSize = volumeSize;
    this.encrypted = encrypted;
    this.kmsKeyId = kmsKeyId;
    this.ownerId = ownerId;
    this.description = description;
    this.startTime = startTime;
    this.completeAfter = completeAfter;
    this.builtIn = builtIn;
  }

  String state(Instant now) {
    return now.isBefore(startTime.plus(completeAfter)) ? "pending" : "completed";
  }

  String progress(Instant now) {
    if (completeAfter.isZero() || !now.isBefore(startTime.plus(completeAfter))) {
      return "100%";
    }
    long done = Duration.between(startTime, now).toMillis() * 100 / completeAfter.toMillis();
    return Math.max(0, Math.min(99, done)) + "%";
  }

  void xml(XmlWriter xml, Instant now) {
    xml.open("item")
        .leaf("snapshotId", snapshotId)
        .leaf("volumeId", volumeId)
        .leaf("status", state(now))
        .leaf("startTime", Ec2Xml.time(startTime))
        .leaf("progress", progress(now))
        .leaf("ownerId", ownerId)
        .leaf("volumeSize", volumeSize)
        .leaf("description", description)
        .leaf("encrypted", encrypted)
        .leaf("kmsKeyId", kmsKeyId)
        .leaf("storageTier", "standard");
    Ec2Xml.tags(xml, tags).close("item");
  }
}
