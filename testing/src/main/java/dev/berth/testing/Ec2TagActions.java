package dev.berth.testing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code CreateTags} and {@code DeleteTags} for every taggable resource, and the tag rules that
 * {@code TagSpecification}s at launch follow too.
 */
final class Ec2TagActions {

  static final int MAX_TAGS = 50;
  private static final Set<String> RESOURCE_TYPES = Set.of("instance", "volume", "network-interface",
      "spot-instances-request", "image", "snapshot", "security-group");

  private final Ec2World world;

  Ec2TagActions(Ec2World world) {
    this.world = world;
  }

  String createTags(Ec2Request request, String requestId) {
    List<String> resources = resources(request);
    Map<String, String> tags = tags(request, "Tag");
    if (tags.isEmpty()) {
      throw new QueryFailure(Ec2Errors.missingParameter("Tag"));
    }
    synchronized (world) {
      List<Map<String, String>> targets = targets(resources);
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      for (Map<String, String> target : targets) {
        Map<String, String> merged = new LinkedHashMap<>(target);
        merged.putAll(tags);
        if (merged.size() > MAX_TAGS) {
          throw new QueryFailure(new QueryError(400, "TagLimitExceeded",
              "The maximum number of Tags for a resource has been reached."));
        }
      }
      targets.forEach(target -> target.putAll(tags));
    }
    return Ec2Xml.response("CreateTags", requestId).leaf("return", true).end("CreateTagsResponse");
  }

  String deleteTags(Ec2Request request, String requestId) {
    List<String> resources = resources(request);
    List<Ec2Request> members = request.structs("Tag");
    synchronized (world) {
      List<Map<String, String>> targets = targets(resources);
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      for (Map<String, String> target : targets) {
        if (members.isEmpty()) {
          target.keySet().removeIf(key -> !key.startsWith("aws:"));
        }
        for (Ec2Request member : members) {
          String key = member.required("Key");
          String value = member.param("Value");
          if (value == null || value.equals(target.get(key))) {
            target.remove(key);
          }
        }
      }
    }
    return Ec2Xml.response("DeleteTags", requestId).leaf("return", true).end("DeleteTagsResponse");
  }

  /** The tags that {@code TagSpecification.N} asks for on resources of {@code resourceType}. */
  static Map<String, String> tagSpecifications(Ec2Request request, String resourceType) {
    Map<String, String> found = new LinkedHashMap<>();
    for (Ec2Request spec : request.structs("TagSpecification")) {
      String type = spec.required("ResourceType");
      if (!RESOURCE_TYPES.contains(type)) {
        throw new QueryFailure(Ec2Errors.invalidParameterValue(
            "'" + type + "' is not a valid taggable resource type for this operation."));
      }
      Map<String, String> tags = tags(spec, "Tag");
      if (type.equals(resourceType)) {
        found.putAll(tags);
      }
    }
    return found;
  }

  private static Map<String, String> tags(Ec2Request request, String prefix) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (Ec2Request member : request.structs(prefix)) {
      String key = member.required("Key");
      String value = member.param("Value") == null ? "" : member.param("Value");
      if (key.length() > 128 || value.length() > 256) {
        throw new QueryFailure(Ec2Errors.invalidParameterValue(
            "Tag keys are limited to 128 characters and values to 256; got key '" + key + "'"));
      }
      if (key.startsWith("aws:")) {
        throw new QueryFailure(Ec2Errors.invalidParameterValue(
            "Tag keys starting with 'aws:' are reserved for internal use"));
      }
      if (tags.put(key, value) != null) {
        throw new QueryFailure(Ec2Errors.invalidParameterValue("Duplicate tag key '" + key + "' specified"));
      }
    }
    if (tags.size() > MAX_TAGS) {
      throw new QueryFailure(new QueryError(400, "TagLimitExceeded",
          "The maximum number of Tags for a resource has been reached."));
    }
    return tags;
  }

  private static List<String> resources(Ec2Request request) {
    List<String> resources = request.list("ResourceId");
    if (resources.isEmpty()) {
      throw new QueryFailure(Ec2Errors.missingParameter("ResourceId"));
    }
    return resources;
  }

  private List<Map<String, String>> targets(List<String> resources) {
    return resources.stream().map(id -> {
      if (id.startsWith("i-") && !Ec2InstanceActions.INSTANCE_ID.matcher(id).matches()) {
        throw new QueryFailure(Ec2Errors.instanceMalformed(id));
      }
      Map<String, String> tags = world.taggable(id);
      if (tags == null && id.startsWith("i-")) {
        throw new QueryFailure(Ec2Errors.instanceNotFound(id));
      }
      if (tags == null && id.startsWith("ami-")) {
        throw new QueryFailure(Ec2Errors.amiNotFound(id));
      }
      if (tags == null && id.startsWith("snap-")) {
        throw new QueryFailure(Ec2Errors.snapshotNotFound(id));
      }
      if (tags == null && id.startsWith("vol-")) {
        throw new QueryFailure(Ec2Errors.volumeNotFound(id));
      }
      if (tags == null && id.startsWith("sg-")) {
        throw new QueryFailure(Ec2Errors.groupNotFound(id));
      }
      if (tags == null) {
        throw new QueryFailure(new QueryError(400, "InvalidID", "The ID '" + id + "' is not valid"));
      }
      return tags;
    }).toList();
  }
}
