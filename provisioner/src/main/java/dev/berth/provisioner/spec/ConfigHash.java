package dev.berth.provisioner.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The {@code infrakit.config.hash} of a group: InfraKit's {@code types.Spec.InstanceHash()}.
 *
 * <p>InfraKit marshals the {@code Instance} and {@code Flavor} sections as Go structs of
 * {@code Plugin} and {@code Properties}, decodes each into a map, re-encodes it with
 * {@code json.MarshalIndent(props, "  ", "  ")} (sorted keys), feeds both to one SHA-1, and
 * writes the digest in standard base32, lower-cased, without {@code =} padding. The allocation
 * is not part of it, so resizing a group never triggers a rolling update.
 */
final class ConfigHash {

  private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

  private ConfigHash() {}

  static String of(JsonNode instance, JsonNode flavor) {
    MessageDigest sha1 = sha1();
    sha1.update(GoJson.stable(pluginStruct(instance)).getBytes(StandardCharsets.UTF_8));
    sha1.update(GoJson.stable(pluginStruct(flavor)).getBytes(StandardCharsets.UTF_8));
    return base32(sha1.digest());
  }

  // What Go's json.Marshal makes of InstancePlugin / FlavorPlugin: both fields, always.
  private static ObjectNode pluginStruct(JsonNode section) {
    ObjectNode struct = JsonNodeFactory.instance.objectNode();
    JsonNode plugin = section == null ? null : section.get("Plugin");
    struct.put("Plugin", plugin == null || plugin.isNull() ? "" : plugin.asText());
    JsonNode properties = section == null ? null : section.get("Properties");
    struct.set("Properties", properties == null ? JsonNodeFactory.instance.nullNode() : properties);
    return struct;
  }

  static String base32(byte[] data) {
    StringBuilder out = new StringBuilder((data.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : data) {
      buffer = (buffer << 8) | (b & 0xFF);
      bits += 8;
      while (bits >= 5) {
        out.append(BASE32[(buffer >> (bits - 5)) & 0x1F]);
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(BASE32[(buffer << (5 - bits)) & 0x1F]);
    }
    return out.toString();
  }

  private static MessageDigest sha1() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-1", e);
    }
  }
}
