package dev.berth.encryptor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * The tags that tie a resource to the run that made it. They travel in each create call's
 * {@code TagSpecifications}, so a resource never exists untagged, even if the process dies the
 * moment after EC2 made it.
 */
final class SessionTags {

  static final String PREFIX = "berth:";
  /** The session that created the resource. */
  static final String SESSION = "berth:encryptor-session";
  /** On an image this tool made: the image it was encrypted from. */
  static final String ENCRYPTED_FROM = "berth:encrypted-from";
  /** Set once a result has been verified: cleanup by tag never touches it. */
  static final String VERIFIED = "berth:verified";

  private SessionTags() {}

  static Map<String, String> of(String sessionId, Map<String, String> extra) {
    Map<String, String> tags = new LinkedHashMap<>(extra);
    tags.put(SESSION, sessionId);
    return tags;
  }

  static List<TagSpecification> specifications(Map<String, String> tags, ResourceType... types) {
    List<Tag> list = new ArrayList<>();
    tags.forEach((k, v) -> list.add(Tag.builder().key(k).value(v).build()));
    List<TagSpecification> out = new ArrayList<>();
    for (ResourceType type : types) {
      out.add(TagSpecification.builder().resourceType(type).tags(list).build());
    }
    return out;
  }

  /**
   * The tags a new image carries over from its source: the user's, never {@code aws:} (reserved)
   * nor {@code berth:} ones, which belong to the run that set them — a copied {@code berth:verified}
   * would hide a failed run's image from cleanup.
   */
  static Map<String, String> carried(List<Tag> sourceTags) {
    Map<String, String> carried = new LinkedHashMap<>();
    sourceTags.stream().filter(t -> !t.key().startsWith("aws:") && !t.key().startsWith(PREFIX))
        .forEach(t -> carried.put(t.key(), t.value()));
    return carried;
  }

  /** The tags of a new image made from {@code source} by a run tagged {@code runTags}. */
  static Map<String, String> newImage(Map<String, String> runTags, software.amazon.awssdk.services.ec2.model.Image source) {
    Map<String, String> tags = carried(source.tags());
    tags.putAll(runTags);
    String original = value(source.tags(), ENCRYPTED_FROM);
    tags.put(ENCRYPTED_FROM, original != null ? original : source.imageId());
    return tags;
  }

  static Filter sessionFilter(String sessionId) {
    return Filter.builder().name("tag:" + SESSION).values(sessionId).build();
  }

  static String value(List<Tag> tags, String key) {
    return tags.stream().filter(t -> t.key().equals(key)).map(Tag::value).findFirst().orElse(null);
  }
}
