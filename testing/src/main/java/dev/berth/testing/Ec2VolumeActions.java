package dev.berth.testing;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code CreateVolume}, {@code DescribeVolumes}, {@code AttachVolume}, {@code DeleteVolume} and the
 * account's {@code GetEbsDefaultKmsKeyId}; every method runs under the world's monitor.
 */
final class Ec2VolumeActions {

  private static final Set<String> FILTERS = Set.of("volume-id", "status", "attachment.instance-id", "snapshot-id",
      "encrypted", "availability-zone");

  private final Ec2World world;

  Ec2VolumeActions(Ec2World world) {
    this.world = world;
  }

  String createVolume(Ec2Request request, String requestId) {
    String zone = request.required("AvailabilityZone");
    Integer size = request.integer("Size");
    String snapshotId = request.param("SnapshotId");
    boolean encrypt = "true".equalsIgnoreCase(request.param("Encrypted"));
    String key = request.param("KmsKeyId");
    if (key != null && !encrypt) {
      throw new QueryFailure(Ec2Errors.invalidParameterCombination(
          "The parameter KmsKeyId requires the parameter Encrypted to be set."));
    }
    if (size == null && snapshotId == null) {
      throw new QueryFailure(Ec2Errors.missingParameter("Size"));
    }
    Map<String, String> tags = Ec2TagActions.tagSpecifications(request, "volume");
    synchronized (world) {
      Ec2Snapshot snapshot = snapshotId == null ? null : Ec2SnapshotActions.existing(world, snapshotId);
      if (snapshot != null && !"completed".equals(snapshot.state(world.now()))) {
        throw new QueryFailure(Ec2Errors.incorrectState("Snapshot '" + snapshotId + "' is not completed"));
      }
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      boolean encrypted = encrypt || (snapshot != null && snapshot.encrypted);
      String kms = key != null ? world.kmsArn(key) : snapshot != null && snapshot.encrypted ? snapshot.kmsKeyId
          : encrypted ? world.defaultKmsKeyId : null;
      String type = request.param("VolumeType") == null ? "gp2" : request.param("VolumeType");
      Ec2Volume volume = new Ec2Volume(world.nextSerial(), world.newId("vol"),
          size != null ? size : snapshot.volumeSize, snapshotId, zone, type, encrypted, kms, world.now());
      volume.tags.putAll(tags);
      world.add(volume);
      XmlWriter xml = Ec2Xml.response("CreateVolume", requestId)
          .leaf("volumeId", volume.volumeId).leaf("size", volume.size).leaf("snapshotId", snapshotId == null ? "" : snapshotId)
          .leaf("availabilityZone", zone).leaf("status", "creating").leaf("createTime", Ec2Xml.time(volume.createTime))
          .leaf("volumeType", type).leaf("encrypted", encrypted).leaf("kmsKeyId", kms);
      return Ec2Xml.tags(xml, volume.tags).end("CreateVolumeResponse");
    }
  }

  String describeVolumes(Ec2Request request, String requestId) {
    List<String> ids = request.list("VolumeId");
    List<Ec2Filter> filters = Ec2Filter.parse(request, FILTERS);
    synchronized (world) {
      for (String id : ids) {
        if (world.volume(id) == null) {
          throw new QueryFailure(Ec2Errors.volumeNotFound(id));
        }
      }
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      List<Ec2Volume> matches = world.volumeList().stream()
          .filter(v -> ids.isEmpty() || ids.contains(v.volumeId))
          .filter(v -> Ec2Filter.all(filters, v.tags, (name, t) -> List.of(attribute(v, name))))
          .toList();
      List<Ec2Volume> page = Ec2Pages.page(request, matches, v -> v.serial, ids);
      XmlWriter xml = Ec2Xml.response("DescribeVolumes", requestId).open("volumeSet");
      page.forEach(v -> v.xml(xml));
      xml.close("volumeSet");
      Ec2Pages.next(xml, page, matches, v -> v.serial);
      return xml.end("DescribeVolumesResponse");
    }
  }

  String attachVolume(Ec2Request request, String requestId) {
    String volumeId = request.required("VolumeId");
    String instanceId = request.required("InstanceId");
    String device = request.required("Device");
    synchronized (world) {
      Ec2Volume volume = world.volume(volumeId);
      if (volume == null) {
        throw new QueryFailure(Ec2Errors.volumeNotFound(volumeId));
      }
      Ec2Machine machine = world.instance(instanceId);
      if (machine == null) {
        throw new QueryFailure(Ec2Errors.instanceNotFound(instanceId));
      }
      if (volume.attachedTo != null) {
        throw new QueryFailure(Ec2Errors.volumeInUse(volumeId, volume.attachedTo.instanceId));
      }
      String state = world.state(machine);
      if (!"running".equals(state) && !"stopped".equals(state)) {
        throw new QueryFailure(Ec2Errors.incorrectState(
            "Instance '" + instanceId + "' is not 'running' or 'stopped' (" + state + ")"));
      }
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      volume.attach(machine, device, false, world.now());
      return Ec2Xml.response("AttachVolume", requestId)
          .leaf("volumeId", volumeId).leaf("instanceId", instanceId).leaf("device", device)
          .leaf("status", "attaching").leaf("attachTime", Ec2Xml.time(volume.attachTime))
          .end("AttachVolumeResponse");
    }
  }

  String deleteVolume(Ec2Request request, String requestId) {
    String volumeId = request.required("VolumeId");
    synchronized (world) {
      Ec2Volume volume = world.volume(volumeId);
      if (volume == null) {
        throw new QueryFailure(Ec2Errors.volumeNotFound(volumeId));
      }
      if (volume.attachedTo != null) {
        throw new QueryFailure(Ec2Errors.volumeInUse(volumeId, volume.attachedTo.instanceId));
      }
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      world.remove(volume);
    }
    return Ec2Xml.response("DeleteVolume", requestId).leaf("return", true).end("DeleteVolumeResponse");
  }

  String getEbsDefaultKmsKeyId(Ec2Request request, String requestId) {
    if (request.dryRun()) {
      throw new QueryFailure(Ec2Errors.dryRun());
    }
    return Ec2Xml.response("GetEbsDefaultKmsKeyId", requestId).leaf("kmsKeyId", world.defaultKmsKeyId)
        .end("GetEbsDefaultKmsKeyIdResponse");
  }

  private static String attribute(Ec2Volume v, String name) {
    return switch (name) {
      case "volume-id" -> v.volumeId;
      case "status" -> v.state();
      case "attachment.instance-id" -> v.attachedTo == null ? "" : v.attachedTo.instanceId;
      case "snapshot-id" -> String.valueOf(v.snapshotId);
      case "encrypted" -> Boolean.toString(v.encrypted);
      default -> v.availabilityZone;
    };
  }
}
