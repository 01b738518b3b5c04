package dev.berth.provisioner.spec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * Turns a spec document into a {@link GroupSpec}, section by section, failing on the first
 * problem with its JSON path.
 */
final class SpecParser {

  static final int MAX_SIZE = 100_000;
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  // Made at class initialization: Jackson makes a type's deserializer on its first use, under a lock
  // (a ReentrantLock since 2.17) that a loop thread would wait on (the daemon parses specs on its loop).
  private static final ObjectReader TREES = MAPPER.readerFor(JsonNode.class);
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern IPV4 = Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Set<String> INSTANCE_PLUGINS = Set.of("aws/ec2-instance", "instance-aws", "instance-aws/ec2-instance");
  private static final Set<String> FLAVOR_PLUGINS = Set.of("vanilla", "flavor-vanilla");
  private static final Set<String> SET_BY_PROVISIONER = Set.of("ClientToken", "DryRun");
  private static final Set<String> RESERVED_TAGS = Set.of(GroupSpec.GROUP_TAG, GroupSpec.CONFIG_HASH_TAG);

  private SpecParser() {}

  static GroupSpec parse(String json) {
    JsonNode root;
    try {
      root = TREES.readTree(json);
    } catch (JsonProcessingException e) {
      var where = e.getLocation();
      throw new SpecException("$", "not valid JSON" + (where == null ? "" : " at line " + where.getLineNr()
          + ", column " + where.getColumnNr()) + ": " + e.getOriginalMessage());
    }
    JsonField doc = new JsonField(root, "$").object("a group spec object: {\"ID\": ..., \"Properties\": {...}}");
    doc.only(Set.of("ID", "Properties"));
    String id = doc.required("ID", "the group's name, e.g. \"workers\"").text("a string");
    if (!ID.matcher(id).matches()) {
      throw doc.get("ID").fail("expected 1-128 letters, digits, '.', '_' or '-' starting with a letter or digit, got \"" + id + "\"");
    }
    JsonField properties = doc.required("Properties", "the group's Allocation, Instance and Flavor")
        .object("an object with Allocation, Instance, Flavor and optionally Updating");
    properties.only(Set.of("Allocation", "Instance", "Flavor", "Updating"));
    Allocation allocation = allocation(properties.required("Allocation", "{\"Size\": N} or {\"LogicalIDs\": [...]}"));
    JsonField instanceField = properties.required("Instance", "{\"Plugin\": \"aws/ec2-instance\", \"Properties\": {...}}");
    InstanceProperties instance = instance(instanceField, allocation);
    JsonField flavorField = properties.required("Flavor", "{\"Plugin\": \"vanilla\", \"Properties\": {\"Init\": [...]}}");
    FlavorProperties flavor = flavor(flavorField);
    Updating updating = updating(properties.get("Updating"));
    String hash = ConfigHash.of(instanceField.node(), flavorField.node());
    return new GroupSpec(id, allocation, instance, flavor, updating, hash, root.toString());
  }

  private static Allocation allocation(JsonField field) {
    field.object("{\"Size\": N} or {\"LogicalIDs\": [...]}").only(Set.of("Size", "LogicalIDs"));
    JsonField size = field.get("Size");
    JsonField logical = field.get("LogicalIDs");
    if (size.present() == logical.present()) {
      throw field.fail("expected exactly one of \"Size\" or \"LogicalIDs\", got " + (size.present() ? "both" : "neither"));
    }
    if (size.present()) {
      return Allocation.ofSize(size.integer(0, MAX_SIZE));
    }
    List<String> ids = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (JsonField element : logical.elements("an array of private IPv4 addresses")) {
      String address = element.text("a private IPv4 address like \"10.0.0.5\"");
      if (!IPV4.matcher(address).matches()) {
        throw element.expected("a private IPv4 address like \"10.0.0.5\"");
      }
      if (!seen.add(address)) {
        throw element.fail("duplicate logical id \"" + address + "\"; each names one instance");
      }
      ids.add(address);
    }
    if (ids.isEmpty()) {
      throw logical.fail("expected at least one logical id");
    }
    return Allocation.ofLogicalIds(ids);
  }

  private static InstanceProperties instance(JsonField field, Allocation allocation) {
    field.object("an object with Plugin and Properties").only(Set.of("Plugin", "Properties"));
    String plugin = field.required("Plugin", "\"aws/ec2-instance\"").text("a plugin name");
    if (!INSTANCE_PLUGINS.contains(plugin)) {
      throw field.get("Plugin").fail("expected \"aws/ec2-instance\" (the EC2 instance plugin), got \"" + plugin + "\"");
    }
    JsonField properties = field.required("Properties", "{\"RunInstancesInput\": {...}, \"Tags\": {...}}")
        .object("an object with RunInstancesInput and Tags");
    if (properties.get("AttachVolumeInputs").present()) {
      throw properties.get("AttachVolumeInputs").fail("not supported: attach volumes from the boot script instead");
    }
    properties.only(Set.of("RunInstancesInput", "Tags", "AttachVolumeInputs"));
    JsonField input = properties.required("RunInstancesInput", "the EC2 RunInstances parameters, e.g. {\"ImageId\": \"ami-4926fd29\"}");
    RunInstancesRequest request = SdkRequestReader.runInstances(input);
    checkRunInstances(input, request, allocation);
    Map<String, String> tags = properties.get("Tags").stringMap("an object of tag names to string values");
    checkTags(properties.get("Tags"), tags);
    return new InstanceProperties(plugin, request, tags);
  }

  private static void checkRunInstances(JsonField input, RunInstancesRequest request, Allocation allocation) {
    if (request.imageId() == null || request.imageId().isBlank()) {
      throw input.get("ImageId").fail("required: the AMI to launch, e.g. \"ami-4926fd29\"");
    }
    for (String name : SET_BY_PROVISIONER) {
      if (input.get(name).present()) {
        throw input.get(name).fail("set by the provisioner for every launch; remove it from the spec");
      }
    }
    for (String name : List.of("MinCount", "MaxCount")) {
      if (input.get(name).present() && input.get(name).node().asInt() != 1) {
        throw input.get(name).fail("the group's Allocation sets how many instances run; remove " + name
            + " (InfraKit accepted only 1 here)");
      }
    }
    if (request.privateIpAddress() != null && (!allocation.logicalIds().isEmpty() || allocation.count() > 1)) {
      throw input.get("PrivateIpAddress").fail(allocation.logicalIds().isEmpty()
          ? "one address cannot serve " + allocation.count() + " instances; use Allocation.LogicalIDs"
          : "Allocation.LogicalIDs sets each instance's address; remove it");
    }
  }

  private static void checkTags(JsonField field, Map<String, String> tags) {
    for (String key : tags.keySet()) {
      if (RESERVED_TAGS.contains(key) || key.startsWith("aws:")) {
        throw field.get(key).fail("tag \"" + key + "\" is reserved: the provisioner sets "
            + String.join(" and ", RESERVED_TAGS) + ", and AWS reserves aws:*");
      }
      if (key.isEmpty() || key.length() > 128 || tags.get(key).length() > 256) {
        throw field.get(key).fail("EC2 takes tag keys of 1-128 characters and values of up to 256");
      }
    }
  }

  private static FlavorProperties flavor(JsonField field) {
    field.object("an object with Plugin and Properties").only(Set.of("Plugin", "Properties"));
    String plugin = field.required("Plugin", "\"vanilla\"").text("a plugin name");
    if (!FLAVOR_PLUGINS.contains(plugin)) {
      throw field.get("Plugin").fail("expected \"vanilla\" (the only flavor the provisioner runs), got \"" + plugin + "\"");
    }
    JsonField properties = field.get("Properties");
    if (!properties.present()) {
      return new FlavorProperties(plugin, List.of(), Map.of());
    }
    properties.object("an object with Init and Tags").only(Set.of("Init", "Tags", "InitScriptTemplateURL", "Attachments"));
    if (properties.get("InitScriptTemplateURL").present()) {
      throw properties.get("InitScriptTemplateURL").fail("not supported: put the script's lines in Init");
    }
    JsonField attachments = properties.get("Attachments");
    if (attachments.present() && !attachments.elements("an array").isEmpty()) {
      throw attachments.fail("not supported: the vanilla flavor's attachments need InfraKit's volume plugin");
    }
    List<String> init = new ArrayList<>();
    if (properties.get("Init").present()) {
      for (JsonField line : properties.get("Init").elements("an array of script lines")) {
        init.add(line.text("a line of the boot script"));
      }
    }
    Map<String, String> tags = properties.get("Tags").stringMap("an object of tag names to string values");
    checkTags(properties.get("Tags"), tags);
    return new FlavorProperties(plugin, init, tags);
  }

  private static Updating updating(JsonField field) {
    if (!field.present()) {
      return Updating.DEFAULT;
    }
    field.object("an object with Count or Duration, MaxUnavailable, Surge")
        .only(Set.of("Count", "Duration", "MaxUnavailable", "Surge", "SkipBeforeInstanceDestroy"));
    int count = field.get("Count").present() ? field.get("Count").integer(0, 1000) : 0;
    Duration duration = field.get("Duration").present() ? GoDuration.parse(field.get("Duration")) : Duration.ZERO;
    if (count > 0 && !duration.isZero()) {
      throw field.fail("expected Count or Duration, not both (InfraKit's rule)");
    }
    JsonField skip = field.get("SkipBeforeInstanceDestroy");
    if (skip.present() && !"drain".equals(skip.text("\"drain\""))) {
      throw skip.expected("\"drain\"");
    }
    int maxUnavailable = field.get("MaxUnavailable").present() ? field.get("MaxUnavailable").integer(0, MAX_SIZE) : 1;
    int surge = field.get("Surge").present() ? field.get("Surge").integer(0, MAX_SIZE) : 0;
    if (maxUnavailable + surge < 1) {
      throw field.fail("MaxUnavailable + Surge must be at least 1, or no instance can ever be replaced");
    }
    return new Updating(count, duration, maxUnavailable, surge);
  }

}
