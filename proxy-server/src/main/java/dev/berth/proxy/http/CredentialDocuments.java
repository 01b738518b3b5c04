package dev.berth.proxy.http;

import dev.berth.proxy.credentials.Credentials;
import dev.berth.proxy.policy.RoleBinding;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** The JSON documents of {@code iam/}, laid out key for key as the real metadata service lays them out. */
final class CredentialDocuments {

  private CredentialDocuments() {}

  /** {@code security-credentials/{role}}; with {@code extended}, plus {@code AccountId}. */
  static byte[] credentials(Credentials c, boolean extended) {
    StringBuilder json = new StringBuilder(1400).append("{\n");
    field(json, "Code", "Success");
    field(json, "LastUpdated", timestamp(c.lastUpdated()));
    field(json, "Type", "AWS-HMAC");
    field(json, "AccessKeyId", c.accessKeyId());
    field(json, "SecretAccessKey", c.secretAccessKey());
    field(json, "Token", c.sessionToken());
    if (extended) {
      field(json, "Expiration", timestamp(c.expiration()));
      last(json, "AccountId", c.accountId());
    } else {
      last(json, "Expiration", timestamp(c.expiration()));
    }
    return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** {@code iam/info}. */
  static byte[] info(RoleBinding binding, Instant lastUpdated) {
    StringBuilder json = new StringBuilder(300).append("{\n");
    field(json, "Code", "Success");
    field(json, "LastUpdated", timestamp(lastUpdated));
    field(json, "InstanceProfileArn", binding.instanceProfileArn());
    last(json, "InstanceProfileId", instanceProfileId(binding.roleArn()));
    return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** ISO-8601 in UTC to the second, as the service writes it: {@code 2026-11-26T06:00:00Z}. */
  static String timestamp(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  /** A stable id of IAM's shape ({@code AIPA} and 17 characters) derived from the role ARN. */
  static String instanceProfileId(String roleArn) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(roleArn.getBytes(StandardCharsets.UTF_8));
      String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
      StringBuilder id = new StringBuilder("AIPA");
      for (int i = 0; i < 17; i++) {
        id.append(alphabet.charAt((digest[i] & 0xff) % alphabet.length()));
      }
      return id.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }

  private static void field(StringBuilder json, String key, String value) {
    entry(json, key, value).append(",\n");
  }

  private static void last(StringBuilder json, String key, String value) {
    entry(json, key, value).append('\n');
  }

  private static StringBuilder entry(StringBuilder json, String key, String value) {
    json.append("  \"").append(key).append("\" : \"");
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      if (ch == '"' || ch == '\\') {
        json.append('\\').append(ch);
      } else if (ch < 0x20) {
        json.append(String.format("\\u%04x", (int) ch));
      } else {
        json.append(ch);
      }
    }
    return json.append('"');
  }
}
