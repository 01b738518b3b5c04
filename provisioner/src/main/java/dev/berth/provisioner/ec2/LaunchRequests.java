package dev.berth.provisioner.ec2;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * Builds the one {@code RunInstances} request of a {@link Launch}: the spec's
 * {@code RunInstancesInput}, the counts, the client token, the base64 boot script, and the
 * group's tags in the instance {@code TagSpecification} (merged into one the spec already has,
 * the group's own tags winning).
 */
final class LaunchRequests {

  private LaunchRequests() {}

  static RunInstancesRequest build(Launch launch) {
    RunInstancesRequest template = launch.spec().instance().runInstances();
    Map<String, String> groupTags = launch.spec().instanceTags();
    List<TagSpecification> specifications = new ArrayList<>();
    boolean merged = false;
    for (TagSpecification given : template.tagSpecifications()) {
      if (given.resourceType() == ResourceType.INSTANCE && !merged) {
        Map<String, String> tags = new LinkedHashMap<>();
        given.tags().forEach(t -> tags.put(t.key(), t.value()));
        tags.putAll(groupTags);
        specifications.add(instanceTags(tags));
        merged = true;
      } else if (given.resourceType() != ResourceType.INSTANCE) {
        specifications.add(given);
      }
    }
    if (!merged) {
      specifications.add(instanceTags(groupTags));
    }
    RunInstancesRequest.Builder request = template.toBuilder()
        .minCount(1)
        .maxCount(launch.count())
        .clientToken(launch.clientToken())
        .tagSpecifications(specifications)
        .userData(launch.spec().userData()
            .map(script -> Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8)))
            .orElse(null));
    launch.privateIpAddress().ifPresent(request::privateIpAddress);
    return request.build();
  }

  private static TagSpecification instanceTags(Map<String, String> tags) {
    return TagSpecification.builder()
        .resourceType(ResourceType.INSTANCE)
        .tags(tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList())
        .build();
  }
}
