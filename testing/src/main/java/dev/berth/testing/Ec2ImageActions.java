package dev.berth.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Images: {@code DescribeImages}, {@code CopyImage}, {@code CreateImage}, {@code RegisterImage} and
 * {@code DeregisterImage}; every method runs under the world's monitor.
 *
 * <p>Design notes: a new image gets new snapshots that stay pending for the copy time, and the
 * image is available once they complete. {@code CopyImage} follows EC2's encryption rules (an
 * encrypted source stays encrypted, {@code KmsKeyId} needs {@code Encrypted}, no key means the
 * account's default key) and refuses images with billing product codes, which EC2 cannot copy.
 */
final class Ec2ImageActions {

  static final Pattern IMAGE_ID = Pattern.compile("ami-([0-9a-f]{8}|[0-9a-f]{17})");
  // EC2's documented AMI name alphabet and length.
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9()\\[\\] ./\\-'@_]{3,128}");
  private static final Set<String> FILTERS = Set.of("image-id", "name", "state", "owner-id", "architecture",
      "product-code", "block-device-mapping.snapshot-id", "block-device-mapping.encrypted");

  private final Ec2World world;

  Ec2ImageActions(Ec2World world) {
    this.world = world;
  }

  /** The images every emulator knows, then {@code extra}, which replace any with the same id. */
  static List<Ec2Emulator.Image> catalogue(String accountId, List<Ec2Emulator.Image> extra) {
    Map<String, Ec2Emulator.Image> all = new LinkedHashMap<>();
    for (Ec2Emulator.Image image : List.of(
        new Ec2Emulator.Image(Ec2Emulator.EXAMPLE_IMAGE_ID,
            "ubuntu/images/hvm-ssd/ubuntu-xenial-16.04-amd64-server-20161020", "099720109477", false),
        new Ec2Emulator.Image("ami-0c55b159cbfafe1f0", "amzn2-ami-hvm-2.0.20190313-x86_64-gp2", "137112412989", false),
        new Ec2Emulator.Image("ami-12345678", "berth-test", accountId, false),
        new Ec2Emulator.Image("ami-0123456789abcdef0", "berth-test-encrypted", accountId, true))) {
      all.put(image.imageId(), image);
    }
    extra.forEach(image -> all.put(image.imageId(), image));
    return List.copyOf(all.values());
  }

  /** Refuses a malformed or unknown image id the way {@code RunInstances} does. */
  static void checkImage(Ec2World world, String imageId) {
    if (!IMAGE_ID.matcher(imageId).matches()) {
      throw new QueryFailure(Ec2Errors.amiMalformed(imageId));
    }
    synchronized (world) {
      if (world.image(imageId) == null) {
        throw new QueryFailure(Ec2Errors.amiNotFound(imageId));
      }
    }
  }

  String describeImages(Ec2Request request, String requestId) {
    List<String> ids = request.list("ImageId");
    List<String> owners = request.list("Owner");
    List<Ec2Filter> filters = Ec2Filter.parse(request, FILTERS);
    ids.forEach(id -> {
      if (!IMAGE_ID.matcher(id).matches()) {
        throw new QueryFailure(Ec2Errors.amiMalformed(id));
      }
    });
    synchronized (world) {
      ids.forEach(id -> checkImage(world, id));
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      Instant now = world.now();
      List<Ec2Ami> matches = world.images().stream()
          .filter(a -> ids.isEmpty() || ids.contains(a.imageId))
          .filter(a -> owners.isEmpty() || owners.stream().anyMatch(o -> o.equals(a.ownerId)
              || (o.equals("self") && a.ownerId.equals(world.accountId))))
          .filter(a -> Ec2Filter.all(filters, a.tags, (name, t) -> attribute(a, name, now)))
          .toList();
      XmlWriter xml = Ec2Xml.response("DescribeImages", requestId).open("imagesSet");
      List<Ec2Ami> page = Ec2Pages.page(request, matches, a -> a.serial, ids);
      page.forEach(a -> a.xml(xml, now));
      xml.close("imagesSet");
      Ec2Pages.next(xml, page, matches, a -> a.serial);
      return xml.end("DescribeImagesResponse");
    }
  }

  String copyImage(Ec2Request request, String requestId) {
    String sourceId = request.required("SourceImageId");
    request.required("SourceRegion");
    String name = checkName(request.required("Name"));
    boolean encrypt = "true".equalsIgnoreCase(request.param("Encrypted"));
    String key = request.param("KmsKeyId");
    if (key != null && !encrypt) {
      throw new QueryFailure(Ec2Errors.invalidParameterCombination(
          "The parameter KmsKeyId requires the parameter Encrypted to be set."));
    }
    String token = request.param("ClientToken");
    Map<String, String> imageTags = Ec2TagActions.tagSpecifications(request, "image");
    Map<String, String> snapshotTags = Ec2TagActions.tagSpecifications(request, "snapshot");
    synchronized (world) {
      checkImage(world, sourceId);
      Ec2Ami source = world.image(sourceId);
      Instant now = world.now();
      if (!"available".equals(source.state(now))) {
        throw new QueryFailure(Ec2Errors.incorrectState("The image '" + sourceId + "' is not in a valid state for copy: "
            + source.state(now)));
      }
      if (!source.productCodes.isEmpty()) {
        throw new QueryFailure(new QueryError(400, "InvalidRequest",
            "Images with EC2 BillingProduct codes cannot be copied to another AWS account or encrypted by CopyImage."));
      }
      String fingerprint = request.fingerprint();
      if (token != null) {
        Ec2World.TokenUse used = world.token("CopyImage:" + token);
        if (used != null) {
          if (!used.fingerprint().equals(fingerprint)) {
            throw new QueryFailure(Ec2Errors.idempotentMismatch());
          }
          return imageId("CopyImage", used.reservationId(), requestId);
        }
      }
      checkNameFree(name);
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      String newId = world.newId("ami");
      List<Ec2Ami.Mapping> mappings = new ArrayList<>();
      for (Ec2Ami.Mapping m : source.mappings) {
        Ec2Snapshot from = m.snapshot();
        boolean encrypted = encrypt || from.encrypted;
        String kms = key != null ? world.kmsArn(key) : from.encrypted && !encrypt ? from.kmsKeyId
            : encrypted ? world.defaultKmsKeyId : null;
        Ec2Snapshot copy = newSnapshot(from.volumeId, from.volumeSize, encrypted, kms,
            "Copied for DestinationAmi " + newId + " from SourceAmi " + sourceId + " for SourceSnapshot "
                + from.snapshotId + ". Task created on " + Ec2Xml.time(now) + ".", snapshotTags);
        mappings.add(new Ec2Ami.Mapping(m.deviceName(), copy, m.volumeSize(), m.volumeType(), m.deleteOnTermination()));
      }
      Map<String, String> tags = new LinkedHashMap<>();
      if ("true".equalsIgnoreCase(request.param("CopyImageTags"))) {
        tags.putAll(source.tags);
      }
      tags.putAll(imageTags);
      String description = request.param("Description") == null ? "" : request.param("Description");
      addImage(newId, name, description, source.rootDeviceName, source.virtualizationType, mappings, List.of(), tags);
      if (token != null) {
        world.useToken("CopyImage:" + token, fingerprint, newId);
      }
      return imageId("CopyImage", newId, requestId);
    }
  }

  String createImage(Ec2Request request, String requestId) {
    String instanceId = request.required("InstanceId");
    String name = checkName(request.required("Name"));
    Map<String, String> imageTags = Ec2TagActions.tagSpecifications(request, "image");
    Map<String, String> snapshotTags = Ec2TagActions.tagSpecifications(request, "snapshot");
    synchronized (world) {
      Ec2Machine machine = world.instance(instanceId);
      if (machine == null) {
        throw new QueryFailure(Ec2Errors.instanceNotFound(instanceId));
      }
      String state = world.state(machine);
      if (!"running".equals(state) && !"stopped".equals(state)) {
        throw new QueryFailure(Ec2Errors.incorrectState(
            "Instance '" + instanceId + "' is not in a state from which an image can be created: " + state));
      }
      checkNameFree(name);
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      String newId = world.newId("ami");
      List<Ec2Ami.Mapping> mappings = new ArrayList<>();
      for (Ec2Volume volume : world.volumesOf(machine)) {
        Ec2Snapshot snapshot = newSnapshot(volume.volumeId, volume.size, volume.encrypted, volume.kmsKeyId,
            "Created by CreateImage(" + instanceId + ") for " + newId, snapshotTags);
        mappings.add(new Ec2Ami.Mapping(volume.device, snapshot, volume.size, volume.volumeType, true));
      }
      Ec2Ami source = world.image(machine.imageId);
      List<String> codes = source == null ? List.of() : source.productCodes;
      String description = request.param("Description") == null ? "" : request.param("Description");
      addImage(newId, name, description, "/dev/xvda", "hvm", mappings, codes, imageTags);
      return imageId("CreateImage", newId, requestId);
    }
  }

  String registerImage(Ec2Request request, String requestId) {
    String name = checkName(request.required("Name"));
    String root = request.param("RootDeviceName") == null ? "/dev/xvda" : request.param("RootDeviceName");
    Map<String, String> imageTags = Ec2TagActions.tagSpecifications(request, "image");
    synchronized (world) {
      List<Ec2Ami.Mapping> mappings = new ArrayList<>();
      for (Ec2Request m : request.structs("BlockDeviceMapping")) {
        String snapshotId = m.param("Ebs.SnapshotId");
        if (snapshotId == null) {
          continue;
        }
        Ec2Snapshot snapshot = Ec2SnapshotActions.existing(world, snapshotId);
        Integer size = m.integer("Ebs.VolumeSize");
        mappings.add(new Ec2Ami.Mapping(m.required("DeviceName"), snapshot, size == null ? snapshot.volumeSize : size,
            m.param("Ebs.VolumeType") == null ? "gp3" : m.param("Ebs.VolumeType"),
            !"false".equalsIgnoreCase(m.param("Ebs.DeleteOnTermination"))));
      }
      if (mappings.stream().noneMatch(m -> m.deviceName().equals(root))) {
        throw new QueryFailure(Ec2Errors.invalidParameterValue(
            "The root device name " + root + " must have a block device mapping with a snapshot"));
      }
      checkNameFree(name);
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      String newId = world.newId("ami");
      String description = request.param("Description") == null ? "" : request.param("Description");
      String virtualization = request.param("VirtualizationType") == null ? "hvm" : request.param("VirtualizationType");
      addImage(newId, name, description, root, virtualization, mappings, List.of(), imageTags);
      return imageId("RegisterImage", newId, requestId);
    }
  }

  String deregisterImage(Ec2Request request, String requestId) {
    String imageId = request.required("ImageId");
    synchronized (world) {
      checkImage(world, imageId);
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      world.image(imageId).deregistered = true;
    }
    return Ec2Xml.response("DeregisterImage", requestId).leaf("return", true).end("DeregisterImageResponse");
  }

  private Ec2Snapshot newSnapshot(String volumeId, int size, boolean encrypted, String kms, String description,
      Map<String, String> tags) {
    Ec2Snapshot snapshot = new Ec2Snapshot(world.nextSerial(), world.newId("snap"), volumeId, size, encrypted, kms,
        world.accountId, description, world.now(), world.copying, false);
    snapshot.tags.putAll(tags);
    world.add(snapshot);
    return snapshot;
  }

  private void addImage(String imageId, String name, String description, String root, String virtualization,
      List<Ec2Ami.Mapping> mappings, List<String> codes, Map<String, String> tags) {
    Instant now = world.now();
    // Available once every snapshot behind it has completed.
    Duration until = mappings.stream().map(m -> Duration.between(now, m.snapshot().startTime.plus(m.snapshot().completeAfter)))
        .filter(d -> !d.isNegative()).max(Duration::compareTo).orElse(Duration.ZERO);
    Ec2Ami ami = new Ec2Ami(world.nextSerial(), imageId, name, description, world.accountId, root, virtualization,
        mappings, codes, now, until, false);
    ami.tags.putAll(tags);
    world.add(ami);
  }

  private static String checkName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new QueryFailure(Ec2Errors.amiNameMalformed(name));
    }
    return name;
  }

  private void checkNameFree(String name) {
    if (world.images().stream().anyMatch(a -> a.ownerId.equals(world.accountId) && a.name.equals(name))) {
      throw new QueryFailure(Ec2Errors.amiNameDuplicate(name));
    }
  }

  private static String imageId(String action, String imageId, String requestId) {
    return Ec2Xml.response(action, requestId).leaf("imageId", imageId).end(action + "Response");
  }

  private static List<String> attribute(Ec2Ami image, String name, Instant now) {
    return switch (name) {
      case "image-id" -> List.of(image.imageId);
      case "name" -> List.of(image.name);
      case "state" -> List.of(image.state(now));
      case "owner-id" -> List.of(image.ownerId);
      case "product-code" -> image.productCodes;
      case "block-device-mapping.snapshot-id" -> image.mappings.stream().map(m -> m.snapshot().snapshotId).toList();
      case "block-device-mapping.encrypted" -> List.of(Boolean.toString(image.encrypted()));
      default -> List.of("x86_64");
    };
  }
}
