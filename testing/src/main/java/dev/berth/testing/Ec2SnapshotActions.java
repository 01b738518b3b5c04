package dev.berth.testing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code DescribeSnapshots}, {@code CreateSnapshot}, {@code DeleteSnapshot},
 * {@code ModifySnapshotAttribute} and {@code DescribeSnapshotAttribute} (createVolumePermission); every method runs under the world's
 * monitor. A snapshot behind a registered image cannot be deleted until the image is deregistered,
 * as at EC2.
 */
final class Ec2SnapshotActions {

  static final Pattern SNAPSHOT_ID = Pattern.compile("snap-([0-9a-f]{8}|[0-9a-f]{17})");
  private static final Set<String> FILTERS = Set.of("snapshot-id", "volume-id", "status", "owner-id", "encrypted",
      "description", "kms-key-id");

  private final Ec2World world;

  Ec2SnapshotActions(Ec2World world) {
    this.world = world;
  }

  /** The snapshot {@code snapshotId} names, or the error EC2 gives for a bad or unknown id. */
  static Ec2Snapshot existing(Ec2World world, String snapshotId) {
    if (!SNAPSHOT_ID.matcher(snapshotId).matches()) {
      throw new QueryFailure(Ec2Errors.snapshotMalformed(snapshotId));
    }
    Ec2Snapshot snapshot = world.ebsSnapshot(snapshotId);
    if (snapshot == null) {
      throw new QueryFailure(Ec2Errors.snapshotNotFound(snapshotId));
    }
    return snapshot;
  }

  String describeSnapshots(Ec2Request request, String requestId) {
    List<String> ids = request.list("SnapshotId");
    List<String> owners = request.list("Owner");
    List<Ec2Filter> filters = Ec2Filter.parse(request, FILTERS);
    synchronized (world) {
      ids.forEach(id -> existing(world, id));
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      Instant now = world.now();
      List<Ec2Snapshot> matches = world.snapshotList().stream()
          .filter(s -> ids.isEmpty() || ids.contains(s.snapshotId))
          .filter(s -> owners.isEmpty() || owners.stream().anyMatch(o -> o.equals(s.ownerId)
              || (o.equals("self") && s.ownerId.equals(world.accountId))))
          .filter(s -> Ec2Filter.all(filters, s.tags, (name, t) -> List.of(attribute(s, name, now))))
          .toList();
      List<Ec2Snapshot> page = Ec2Pages.page(request, matches, s -> s.serial, ids);
      XmlWriter xml = Ec2Xml.response("DescribeSnapshots", requestId).open("snapshotSet");
      page.forEach(s -> s.xml(xml, now));
      xml.close("snapshotSet");
      Ec2Pages.next(xml, page, matches, s -> s.serial);
      return xml.end("DescribeSnapshotsResponse");
    }
  }

  String createSnapshot(Ec2Request request, String requestId) {
    String volumeId = request.required("VolumeId");
    Map<String, String> tags = Ec2TagActions.tagSpecifications(request, "snapshot");
    synchronized (world) {
      Ec2Volume volume = world.volume(volumeId);
      if (volume == null) {
        throw new QueryFailure(Ec2Errors.volumeNotFound(volumeId));
      }
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      String description = request.param("Description") == null ? "" : request.param("Description");
      Ec2Snapshot snapshot = new Ec2Snapshot(world.nextSerial(), world.newId("snap"), volumeId, volume.size,
          volume.encrypted, volume.kmsKeyId, world.accountId, description, world.now(), world.copying, false);
      snapshot.tags.putAll(tags);
      world.add(snapshot);
      XmlWriter xml = Ec2Xml.response("CreateSnapshot", requestId)
          .leaf("snapshotId", snapshot.snapshotId).leaf("volumeId", volumeId).leaf("status", "pending")
          .leaf("startTime", Ec2Xml.time(snapshot.startTime)).leaf("progress", "0%").leaf("ownerId", world.accountId)
          .leaf("volumeSize", volume.size).leaf("description", description).leaf("encrypted", volume.encrypted)
          .leaf("kmsKeyId", volume.kmsKeyId);
      return Ec2Xml.tags(xml, snapshot.tags).end("CreateSnapshotResponse");
    }
  }

  String deleteSnapshot(Ec2Request request, String requestId) {
    String snapshotId = request.required("SnapshotId");
    synchronized (world) {
      Ec2Snapshot snapshot = existing(world, snapshotId);
      for (Ec2Ami image : world.images()) {
        if (image.mappings.stream().anyMatch(m -> m.snapshot() == snapshot)) {
          throw new QueryFailure(Ec2Errors.snapshotInUse(snapshotId, image.imageId));
        }
      }
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      world.remove(snapshot);
    }
    return Ec2Xml.response("DeleteSnapshot", requestId).leaf("return", true).end("DeleteSnapshotResponse");
  }

  String modifySnapshotAttribute(Ec2Request request, String requestId) {
    String snapshotId = request.required("SnapshotId");
    List<String> add = new ArrayList<>(request.structs("CreateVolumePermission.Add").stream()
        .map(m -> m.param("UserId")).filter(u -> u != null).toList());
    List<String> remove = new ArrayList<>(request.structs("CreateVolumePermission.Remove").stream()
        .map(m -> m.param("UserId")).filter(u -> u != null).toList());
    String attribute = request.param("Attribute");
    if (attribute != null && !attribute.equals("createVolumePermission")) {
      throw new QueryFailure(Ec2Errors.invalidParameterValue("Value (" + attribute + ") for parameter attribute is invalid."));
    }
    String operation = request.param("OperationType");
    List<String> users = request.list("UserId");
    if ("add".equals(operation)) {
      add.addAll(users);
    } else if ("remove".equals(operation)) {
      remove.addAll(users);
    }
    if (add.isEmpty() && remove.isEmpty()) {
      throw new QueryFailure(Ec2Errors.missingParameter("CreateVolumePermission"));
    }
    for (String user : add) {
      if (!user.matches("\\d{12}")) {
        throw new QueryFailure(Ec2Errors.invalidParameterValue("Value (" + user + ") for parameter userId is invalid."));
      }
    }
    synchronized (world) {
      Ec2Snapshot snapshot = existing(world, snapshotId);
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      snapshot.createVolumePermissions.addAll(add);
      remove.forEach(snapshot.createVolumePermissions::remove);
    }
    return Ec2Xml.response("ModifySnapshotAttribute", requestId).leaf("return", true)
        .end("ModifySnapshotAttributeResponse");
  }

  String describeSnapshotAttribute(Ec2Request request, String requestId) {
    String snapshotId = request.required("SnapshotId");
    String attribute = request.required("Attribute");
    if (!attribute.equals("createVolumePermission")) {
      throw new QueryFailure(Ec2Errors.invalidParameterValue("Value (" + attribute + ") for parameter attribute is invalid."));
    }
    synchronized (world) {
      Ec2Snapshot snapshot = existing(world, snapshotId);
      XmlWriter xml = Ec2Xml.response("DescribeSnapshotAttribute", requestId).leaf("snapshotId", snapshotId)
          .open("createVolumePermission");
      snapshot.createVolumePermissions.forEach(user -> xml.open("item").leaf("userId", user).close("item"));
      return xml.close("createVolumePermission").end("DescribeSnapshotAttributeResponse");
    }
  }

  private static String attribute(Ec2Snapshot s, String name, Instant now) {
    return switch (name) {
      case "snapshot-id" -> s.snapshotId;
      case "volume-id" -> s.volumeId;
      case "status" -> s.state(now);
      case "owner-id" -> s.ownerId;
      case "encrypted" -> Boolean.toString(s.encrypted);
      case "kms-key-id" -> String.valueOf(s.kmsKeyId);
      default -> s.description;
    };
  }
}
