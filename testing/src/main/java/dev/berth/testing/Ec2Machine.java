package dev.berth.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One instance inside the emulator. Its state is not stored but derived from the clock on every
 * read: pending until {@code launchTime + pending}, then running; once stopped, stopping for
 * {@code shuttingDown}, then stopped; once terminated, shutting-down for {@code shuttingDown},
 * then terminated. Mutable fields are guarded by the {@link Ec2World}.
 */
final class Ec2Machine {

  final long serial;
  final String instanceId;
  final String reservationId;
  final String imageId;
  final String instanceType;
  final String keyName;
  final String availabilityZone;
  final String subnetId;
  final String privateIpAddress;
  final List<String> securityGroupIds;
  final String userData;
  final String clientToken;
  final Instant launchTime;
  final int launchIndex;
  final Map<String, String> tags = new LinkedHashMap<>();
  Instant terminatedAt;
  Instant stoppedAt;

  Ec2Machine(long serial, String instanceId, String reservationId, Ec2Launch launch, String privateIpAddress,
      Instant launchTime, int launchIndex) {
    this.serial = serial;
    this.instanceId = instanceId;
    this.reservationId = reservationId;
    this.imageId = launch.imageId();
    this.instanceType = launch.instanceType();
    this.keyName = launch.keyName();
    this.availabilityZone = launch.availabilityZone();
    this.subnetId = launch.subnetId();
    this.privateIpAddress = privateIpAddress;
    this.securityGroupIds = launch.securityGroupIds();
    this.userData = launch.userData();
    this.clientToken = launch.clientToken();
    this.launchTime = launchTime;
    this.launchIndex = launchIndex;
    this.tags.putAll(launch.instanceTags());
  }

  /** The state name at {@code now}: pending, running, shutting-down or terminated. */
  String state(Instant now, Duration pending, Duration shuttingDown) {
    if (terminatedAt != null) {
      return now.isBefore(terminatedAt.plus(shuttingDown)) ? "shutting-down" : "terminated";
    }
    if (stoppedAt != null) {
      return now.isBefore(stoppedAt.plus(shuttingDown)) ? "stopping" : "stopped";
    }
    return now.isBefore(launchTime.plus(pending)) ? "pending" : "running";
  }

  static int code(String state) {
    return switch (state) {
      case "pending" -> 0;
      case "running" -> 16;
      case "shutting-down" -> 32;
      case "terminated" -> 48;
      case "stopping" -> 64;
      default -> 80;
    };
  }

  Ec2Emulator.Instance snapshot(String state) {
    String decoded = userData == null ? "" : new String(Base64.getDecoder().decode(userData), StandardCharsets.UTF_8);
    return new Ec2Emulator.Instance(instanceId, reservationId, imageId, instanceType, state, privateIpAddress,
        availabilityZone, nullToEmpty(keyName), subnetId, securityGroupIds, decoded, nullToEmpty(clientToken),
        tags, launchTime);
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }
}
