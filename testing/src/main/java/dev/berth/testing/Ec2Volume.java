package dev.berth.testing;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One EBS volume inside the emulator: available, or in-use while attached to an instance that is
 * not terminated. A volume attached with delete-on-termination goes with its instance, as at EC2.
 * Mutable fields are guarded by the {@link Ec2World}.
 */
final class Ec2Volume {

  final long serial;
  final String volumeId;
  final int size;
  final String snapshotId;
  final String availabilityZone;
  final String volumeType;
  final boolean encrypted;
  final String kmsKeyId;
  final Instant createTime;
  final Map<String, String> tags = new LinkedHashMap<>();
  Ec2Machine attachedTo;
  String device;
  boolean deleteOnTermination;
  Instant attachTime;

  Ec2Volume(long serial, String volumeId, int size, String snapshotId, String availabilityZone, String volumeType,
      boolean encrypted, String kmsKeyId, Instant createTime) {
    this.serial = serial;
    this.volumeId = volumeId;
    this.size = size;
    this.snapshotId = snapshotId;
    this.availabilityZone = availabilityZone;
    this.volumeType = volumeType;
    this.encrypted = encrypted;
    this.kmsKeyId = kmsKeyId;
    this.createTime = createTime;
  }

  void attach(Ec2Machine machine, String device, boolean deleteOnTermination, Instant now) {
    this.attachedTo = machine;
    this.device = device;
    this.deleteOnTermination = deleteOnTermination;
    this.attachTime = now;
  }

  String state() {
    return attachedTo == null ? "available" : "in-use";
  }

  void xml(XmlWriter xml) {
    xml.open("item")
        .leaf("volumeId", volumeId)
        .leaf("size", size)
        .leaf("snapshotId", snapshotId == null ? "" : snapshotId)
        .leaf("availabilityZone", availabilityZone)
        .leaf("status", state())
        .leaf("createTime", Ec2Xml.time(createTime))
        .open("attachmentSet");
    if (attachedTo != null) {
      xml.open("item").leaf("volumeId", volumeId).leaf("instanceId", attachedTo.instanceId).leaf("device", device)
          .leaf("status", "attached").leaf("attachTime", Ec2Xml.time(attachTime))
          .leaf("deleteOnTermination", deleteOnTermination).close("item");
    }
    xml.close("attachmentSet")
        .leaf("volumeType", volumeType)
        .leaf("encrypted", encrypted)
        .leaf("kmsKeyId", kmsKeyId);
    Ec2Xml.tags(xml, tags).close("item");
  }
}
