package dev.berth.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One machine image inside the emulator: pending until {@code createdAt + availableAfter}, then
 * available, until deregistered. Its EBS mappings point at {@link Ec2Snapshot}s, whose encryption
 * the image reports. Mutable fields are guarded by the {@link Ec2World}.
 */
final class Ec2Ami {

  /** One EBS block-device mapping: a device name backed by a snapshot. */
  record Mapping(String deviceName, Ec2Snapshot snapshot, int volumeSize, String volumeType,
      boolean deleteOnTermination) {}

  final long serial;
  final String imageId;
  final String name;
  final String description;
  final String ownerId;
  final String rootDeviceName;
  final String virtualizationType;
  final List<Mapping> mappings;
  final List<String> productCodes;
  final Instant createdAt;
  final Duration availableAfter;
  final boolean builtIn;
  final Map<String, String> tags = new LinkedHashMap<>();
  boolean deregistered;

  Ec2Ami(long serial, String imageId, String name, String description, String ownerId, String rootDeviceName,
      String virtualizationType, List<Mapping> mappings, List<String> productCodes, Instant createdAt,
      Duration availableAfter, boolean builtIn) {
    this.serial = serial;
    this.imageId = imageId;
    this.name = name;
    this.description = description;
    this.ownerId = ownerId;
    this.rootDeviceName = rootDeviceName;
    this.virtualizationType = virtualizationType;
    this.mappings = List.copyOf(mappings);
    this.productCodes = List.copyOf(productCodes);
    this.createdAt = createdAt;
    this.availableAfter = availableAfter;
    this.builtIn = builtIn;
  }

  String state(Instant now) {
    if (deregistered) {
      return "deregistered";
    }
    return now.isBefore(createdAt.plus(availableAfter)) ? "pending" : "available";
  }

  boolean encrypted() {
    return !mappings.isEmpty() && mappings.stream().allMatch(m -> m.snapshot().encrypted);
  }

  void xml(XmlWriter xml, Instant now) {
    xml.open("item")
        .leaf("imageId", imageId)
        .leaf("imageLocation", ownerId + "/" + name)
        .leaf("imageState", state(now))
        .leaf("imageOwnerId", ownerId)
        .leaf("creationDate", Ec2Xml.time(createdAt))
        .leaf("isPublic", false);
    if (!productCodes.isEmpty()) {
      xml.open("productCodes");
      productCodes.forEach(code -> xml.open("item").leaf("productCode", code).leaf("type", "marketplace").close("item"));
      xml.close("productCodes");
    }
    xml.leaf("architecture", "x86_64")
        .leaf("imageType", "machine")
        .leaf("name", name)
        .leaf("description", description)
        .leaf("rootDeviceType", "ebs")
        .leaf("rootDeviceName", rootDeviceName)
        .open("blockDeviceMapping");
    for (Mapping m : mappings) {
      xml.open("item").leaf("deviceName", m.deviceName())
          .open("ebs").leaf("snapshotId", m.snapshot().snapshotId).leaf("volumeSize", m.volumeSize())
          .leaf("deleteOnTermination", m.deleteOnTermination()).leaf("volumeType", m.volumeType())
          .leaf("encrypted", m.snapshot().encrypted).close("ebs").close("item");
    }
    xml.close("blockDeviceMapping").leaf("virtualizationType", virtualizationType);
    Ec2Xml.tags(xml, tags).leaf("hypervisor", "xen").close("item");
  }
}
