package dev.berth.testing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The EBS volumes of a launch: the launch's block-device mappings read and checked, then one volume
 * per mapping of the image (changed by the launch's own mapping for that device: encryption, key,
 * size, delete-on-termination) plus one per extra device (empty, or from a snapshot), attached and
 * tagged with the launch's volume {@code TagSpecification} in the same step as the launch.
 */
final class Ec2LaunchVolumes {

  private final Ec2World world;

  Ec2LaunchVolumes(Ec2World world) {
    this.world = world;
  }

  /** The launch's {@code BlockDeviceMapping.N}, checked against the image; outside the world's monitor. */
  List<Ec2Launch.Ebs> mappings(Ec2Request request, String imageId) {
    List<Ec2Launch.Ebs> out = new ArrayList<>();
    for (Ec2Request mapping : request.structs("BlockDeviceMapping")) {
      String device = mapping.required("DeviceName");
      Boolean encrypted = mapping.param("Ebs.Encrypted") == null ? null : Boolean.valueOf(mapping.param("Ebs.Encrypted"));
      String key = mapping.param("Ebs.KmsKeyId");
      if (key != null && !Boolean.TRUE.equals(encrypted)) {
        throw new QueryFailure(Ec2Errors.invalidParameterCombination(
            "The parameter KmsKeyId requires the parameter Encrypted to be set."));
      }
      Boolean delete = mapping.param("Ebs.DeleteOnTermination") == null ? null
          : Boolean.valueOf(mapping.param("Ebs.DeleteOnTermination"));
      Integer size = mapping.integer("Ebs.VolumeSize");
      String snapshotId = mapping.param("Ebs.SnapshotId");
      synchronized (world) {
        boolean known = world.image(imageId).mappings.stream().anyMatch(m -> m.deviceName().equals(device));
        if (snapshotId != null) {
          Ec2Snapshot snapshot = Ec2SnapshotActions.existing(world, snapshotId);
          if (!"completed".equals(snapshot.state(world.now()))) {
            throw new QueryFailure(Ec2Errors.incorrectState("Snapshot '" + snapshotId + "' is not completed"));
          }
        } else if (!known && size == null) {
          throw new QueryFailure(new QueryError(400, "InvalidBlockDeviceMapping",
              "Volume size must be specified for a new volume at " + device));
        }
      }
      out.add(new Ec2Launch.Ebs(device, snapshotId, encrypted, key, delete, size));
    }
    return out;
  }

  // One volume per EBS mapping of the image, changed by the launch's own mappings; tagged with the
  // launch's volume TagSpecification, as EC2 does it, in the same step as the launch.
  void attach(Ec2Machine machine, Ec2Launch launch, Instant now) {
    Ec2Ami image = world.image(launch.imageId());
    Map<String, Ec2Launch.Ebs> overrides = new LinkedHashMap<>();
    launch.ebs().forEach(e -> overrides.put(e.deviceName(), e));
    for (Ec2Ami.Mapping mapping : image.mappings) {
      Ec2Launch.Ebs change = overrides.remove(mapping.deviceName());
      Ec2Snapshot snapshot = mapping.snapshot();
      boolean encrypted = snapshot.encrypted || (change != null && Boolean.TRUE.equals(change.encrypted()));
      String key = change != null && change.kmsKeyId() != null ? world.kmsArn(change.kmsKeyId())
          : snapshot.encrypted ? snapshot.kmsKeyId : encrypted ? world.defaultKmsKeyId : null;
      int size = change != null && change.volumeSize() != null ? change.volumeSize() : mapping.volumeSize();
      boolean delete = change != null && change.deleteOnTermination() != null ? change.deleteOnTermination()
          : mapping.deleteOnTermination();
      attachNew(machine, new Ec2Volume(world.nextSerial(), world.newId("vol"), size, snapshot.snapshotId,
          machine.availabilityZone, mapping.volumeType(), encrypted, key, now), mapping.deviceName(), delete, launch, now);
    }
    for (Ec2Launch.Ebs extra : overrides.values()) {
      Ec2Snapshot from = extra.snapshotId() == null ? null : world.ebsSnapshot(extra.snapshotId());
      boolean encrypted = Boolean.TRUE.equals(extra.encrypted()) || (from != null && from.encrypted);
      String key = extra.kmsKeyId() != null ? world.kmsArn(extra.kmsKeyId())
          : from != null && from.encrypted ? from.kmsKeyId : encrypted ? world.defaultKmsKeyId : null;
      int size = extra.volumeSize() != null ? extra.volumeSize() : from.volumeSize;
      attachNew(machine, new Ec2Volume(world.nextSerial(), world.newId("vol"), size, extra.snapshotId(),
          machine.availabilityZone, "gp3", encrypted, key, now), extra.deviceName(),
          !Boolean.FALSE.equals(extra.deleteOnTermination()), launch, now);
    }
  }

  private void attachNew(Ec2Machine machine, Ec2Volume volume, String device, boolean delete, Ec2Launch launch, Instant now) {
    volume.tags.putAll(launch.volumeTags());
    volume.attach(machine, device, delete, now);
    world.add(volume);
  }
}
