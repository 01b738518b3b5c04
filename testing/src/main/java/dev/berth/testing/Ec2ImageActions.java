package dev.berth.testing;

import java.util.LinkedHashMap;
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
      XmlWriter xml = Ec2Xml.response("DescribeImages", requestId).open("imagesSet");
      for (Ec2Emulator.Image image : world.images()) {
        Map<String, String> tags = world.imageTags(image.imageId());
        boolean owned = owners.isEmpty() || owners.stream().anyMatch(o -> o.equals(image.ownerId())
            || (o.equals("self") && image.ownerId().equals(world.accountId)));
        if ((ids.isEmpty() || ids.contains(image.imageId())) && owned
            && Ec2Filter.all(filters, tags, (name, t) -> List.of(attribute(image, name)))) {
          item(xml, image, tags);
        }
      }
      return xml.close("imagesSet").end("DescribeImagesResponse");
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

  private static void item(XmlWriter xml, Ec2Emulator.Image image, Map<String, String> tags) {
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
        .leaf("virtualizationType", "hvm");
    Ec2Xml.tags(xml, tags)
        .leaf("hypervisor", "xen")
        .close("item");
  }
}
