package dev.berth.testing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The documents of one emulated instance, by path, and the directory listings above them.
 *
 * <p>Design notes: only leaves are written down; every directory listing is derived from them,
 * so adding a leaf can never leave a listing stale. Listings end without a newline and mark
 * sub-directories with a trailing slash, as the real service does below {@code /latest/}.
 * Credentials documents are rendered per request from the clock so they always look fresh.
 */
final class MetadataTree {

  private static final String CREDENTIALS = "/latest/meta-data/iam/security-credentials/";
  private static final String CREDENTIALS_EXTENDED = "/latest/meta-data/iam/security-credentials-extended/";

  private final Map<String, Function<Instant, MetadataAnswer>> leaves = new LinkedHashMap<>();
  private final Map<String, Set<String>> directories = new TreeMap<>();

  MetadataTree(InstanceIdentity instance, byte[] userData) {
    String ip = instance.localIpv4();
    String hostname = "ip-" + ip.replace('.', '-')
        + ("us-east-1".equals(instance.region()) ? ".ec2.internal" : "." + instance.region() + ".compute.internal");
    text("/latest/meta-data/ami-id", instance.imageId());
    text("/latest/meta-data/ami-launch-index", "0");
    text("/latest/meta-data/hostname", hostname);
    text("/latest/meta-data/instance-id", instance.instanceId());
    text("/latest/meta-data/instance-type", instance.instanceType());
    text("/latest/meta-data/local-hostname", hostname);
    text("/latest/meta-data/local-ipv4", ip);
    text("/latest/meta-data/mac", "0e:49:61:0f:c3:11");
    text("/latest/meta-data/placement/availability-zone", instance.availabilityZone());
    text("/latest/meta-data/placement/region", instance.region());
    text("/latest/meta-data/security-groups", "default");
    text("/latest/meta-data/services/domain", "amazonaws.com");
    text("/latest/meta-data/services/partition", "aws");
    String profileArn = "arn:aws:iam::" + instance.accountId() + ":instance-profile/" + MetadataEmulator.HOST_ROLE_NAME;
    leaves.put("/latest/meta-data/iam/info", now -> MetadataAnswer.text("{\n"
        + "  \"Code\" : \"Success\",\n"
        + "  \"LastUpdated\" : " + Text.json(lastUpdated(now)) + ",\n"
        + "  \"InstanceProfileArn\" : " + Text.json(profileArn) + ",\n"
        + "  \"InstanceProfileId\" : " + Text.json("AIPA" + Ids.fingerprint(profileArn, 17)) + "\n"
        + "}"));
    leaves.put(CREDENTIALS + MetadataEmulator.HOST_ROLE_NAME, now -> credentials(now, null));
    leaves.put(CREDENTIALS_EXTENDED + MetadataEmulator.HOST_ROLE_NAME, now -> credentials(now, instance.accountId()));
    text("/latest/dynamic/instance-identity/document", "{\n"
        + "  \"accountId\" : " + Text.json(instance.accountId()) + ",\n"
        + "  \"architecture\" : \"x86_64\",\n"
        + "  \"availabilityZone\" : " + Text.json(instance.availabilityZone()) + ",\n"
        + "  \"billingProducts\" : null,\n"
        + "  \"devpayProductCodes\" : null,\n"
        + "  \"marketplaceProductCodes\" : null,\n"
        + "  \"imageId\" : " + Text.json(instance.imageId()) + ",\n"
        + "  \"instanceId\" : " + Text.json(instance.instanceId()) + ",\n"
        + "  \"instanceType\" : " + Text.json(instance.instanceType()) + ",\n"
        + "  \"kernelId\" : null,\n"
        + "  \"pendingTime\" : \"2026-01-01T00:00:00Z\",\n"
        + "  \"privateIp\" : " + Text.json(ip) + ",\n"
        + "  \"ramdiskId\" : null,\n"
        + "  \"region\" : " + Text.json(instance.region()) + ",\n"
        + "  \"version\" : \"2017-09-30\"\n"
        + "}");
    if (userData.length > 0) {
      MetadataAnswer userDataAnswer = MetadataAnswer.ok("application/octet-stream", userData.clone());
      leaves.put("/latest/user-data", now -> userDataAnswer);
    }
    for (String leaf : leaves.keySet()) {
      String child = leaf;
      for (int slash = leaf.lastIndexOf('/'); slash >= 0; slash = leaf.lastIndexOf('/', slash - 1)) {
        String directory = leaf.substring(0, slash + 1);
        directories.computeIfAbsent(directory, d -> new TreeSet<>()).add(child.substring(slash + 1));
        child = directory;
      }
    }
  }

  /** The answer for a GET of {@code path}: a document, a listing, a redirect to a directory, or 404. */
  MetadataAnswer lookup(String path, Instant now) {
    Function<Instant, MetadataAnswer> leaf = leaves.get(path);
    if (leaf != null) {
      return leaf.apply(now);
    }
    Set<String> children = directories.get(path);
    if (children != null) {
      // The root and /latest/ list their entries bare; deeper listings mark directories with '/'.
      boolean bare = "/".equals(path) || "/latest/".equals(path);
      return MetadataAnswer.text(String.join("\n", bare
          ? children.stream().map(c -> c.endsWith("/") ? c.substring(0, c.length() - 1) : c).toList()
          : children));
    }
    if (directories.containsKey(path + "/")) {
      return MetadataAnswer.error(301, "Moved Permanently", Map.of("Location", path + "/"));
    }
    return MetadataAnswer.error(404, "Not Found");
  }

  private void text(String path, String body) {
    MetadataAnswer answer = MetadataAnswer.ok(MetadataAnswer.TEXT, body.getBytes(StandardCharsets.UTF_8));
    leaves.put(path, now -> answer);
  }

  private static MetadataAnswer credentials(Instant now, String accountId) {
    String updated = lastUpdated(now);
    String expiration = Instant.parse(updated).plus(6, ChronoUnit.HOURS).toString();
    return MetadataAnswer.text("{\n"
        + "  \"Code\" : \"Success\",\n"
        + "  \"LastUpdated\" : " + Text.json(updated) + ",\n"
        + "  \"Type\" : \"AWS-HMAC\",\n"
        + "  \"AccessKeyId\" : " + Text.json(MetadataEmulator.HOST_ACCESS_KEY_ID) + ",\n"
        + "  \"SecretAccessKey\" : " + Text.json(MetadataEmulator.HOST_SECRET_ACCESS_KEY) + ",\n"
        + "  \"Token\" : " + Text.json(MetadataEmulator.HOST_SESSION_TOKEN) + ",\n"
        + "  \"Expiration\" : " + Text.json(expiration)
        + (accountId == null ? "" : ",\n  \"AccountId\" : " + Text.json(accountId))
        + "\n}");
  }

  // The real service rotates instance credentials hourly-ish and keeps hours of validity in hand.
  private static String lastUpdated(Instant now) {
    return now.truncatedTo(ChronoUnit.HOURS).toString();
  }
}
