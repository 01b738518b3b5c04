package dev.berth.testing;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** {@code DescribeImages} over the images registered with the emulator. */
final class Ec2ImageActions {

  static final Pattern IMAGE_ID = Pattern.compile("ami-([0-9a-f]{8}|[0-9a-f]{17})");
  private static final Set<String> FILTERS = Set.of("image-id", "name", "state", "owner-id", "architecture");

  private final Ec2World world;

  Ec2ImageActions(Ec2World world) {
    this.world = world;
  }

  /** Refuses a malformed or unknown image id the way {@code RunInstances} does. */
  static void checkImage(Ec2World world, String imageId) {
    if (!IMAGE_ID.matcher(imageId).matches()) {
      throw new Ec2Failure(Ec2Error.amiMalformed(imageId));
    }
    synchronized (world) {
      if (world.image(imageId) == null) {
        throw new Ec2Failure(Ec2Error.amiNotFound(imageId));
      }
    }
  }

  String describeImages(Ec2Request request, String requestId) {
    List<String> ids = request.list("ImageId");
    List<String> owners = request.list("Owner");
    List<Ec2Filter> filters = Ec2Filter.parse(request, FILTERS);
    ids.forEach(id -> {
      if (!IMAGE_ID.matcher(id).matches()) {
        throw new Ec2Failure(Ec2Error.amiMalformed(id));
      }
    });
    synchronized (world) {
      ids.forEach(id -> checkImage(world, id));
      if (request.dryRun()) {
        throw new Ec2Failure(Ec2Error.dryRun());
      }
      Ec2Xml xml = Ec2Xml.response("DescribeImages", requestId).open("imagesSet");
      for (Ec2Emulator.Image image : world.images()) {
        Map<String, String> tags = world.imageTags(image.imageId());
        boolean owned = owners.isEmpty() || owners.stream().anyMatch(o -> o.equals(image.ownerId())
            || (o.equals("self") && image.ownerId().equals(world.accountId)));
        if ((ids.isEmpty() || ids.contains(image.imageId())) && owned
            && Ec2Filter.all(filters, tags, (name, t) -> List.of(attribute(image, name)))) {
          item(xml, image, tags);
        }
      }
      return xml.close("imagesSet").finish("DescribeImages");
    }
  }

  private static String attribute(Ec2Emulator.Image image, String name) {
    return switch (name) {
      case "image-id" -> image.imageId();
      case "name" -> image.name();
      case "state" -> "available";
      case "owner-id" -> image.ownerId();
      default -> "x86_64";
    };
  }

  private static void item(Ec2Xml xml, Ec2Emulator.Image image, Map<String, String> tags) {
    xml.open("item")
        .leaf("imageId", image.imageId())
        .leaf("imageLocation", image.ownerId() + "/" + image.name())
        .leaf("imageState", "available")
        .leaf("imageOwnerId", image.ownerId())
        .leaf("creationDate", "2016-10-20T00:00:00.000Z")
        .leaf("isPublic", false)
        .leaf("architecture", "x86_64")
        .leaf("imageType", "machine")
        .leaf("name", image.name())
        .leaf("rootDeviceType", "ebs")
        .leaf("rootDeviceName", "/dev/xvda")
        .open("blockDeviceMapping").open("item").leaf("deviceName", "/dev/xvda")
        .open("ebs").leaf("volumeSize", 8).leaf("deleteOnTermination", true).leaf("volumeType", "gp2")
        .leaf("encrypted", image.encrypted()).close("ebs").close("item").close("blockDeviceMapping")
        .leaf("virtualizationType", "hvm")
        .tags(tags)
        .leaf("hypervisor", "xen")
        .close("item");
  }
}
