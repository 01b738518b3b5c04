package dev.berth.encryptor;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What to encrypt and how: the request of one {@code encrypt} run, checked for shape when built
 * (EC2 is asked nothing until the run validates it). Every refusal names the command-line option
 * and what was expected.
 *
 * <pre>{@code
 * EncryptSpec spec = EncryptSpec.builder("ami-0123456789abcdef0")
 *     .encryptedName("web-2026-03-01-encrypted")
 *     .kmsKeyId("arn:aws:kms:us-west-2:123456789012:key/1111...")
 *     .tag("team", "web")
 *     .build();
 * }</pre>
 *
 * @param imageId the image to encrypt
 * @param encryptedName the new image's name, or empty for one derived from the source's
 * @param kmsKeyId the KMS key (id or key ARN), or empty for the account's EBS default key
 * @param tags extra tags for every resource the run creates
 * @param strategy how to encrypt
 * @param guestInstanceType the instance type of any instance the run launches
 * @param subnetId the subnet of any instance the run launches, or empty for the default
 * @param securityGroupIds the security groups of any instance the run launches
 * @param validate whether to run the checks that can refuse the request before anything is created
 * @param timeout the whole run's limit, cleanup excluded
 * @param instance the settings of strategy {@code instance}
 */
public record EncryptSpec(
    String imageId,
    Optional<String> encryptedName,
    Optional<String> kmsKeyId,
    Map<String, String> tags,
    Strategy strategy,
    String guestInstanceType,
    Optional<String> subnetId,
    List<String> securityGroupIds,
    boolean validate,
    Duration timeout,
    InstanceSettings instance) {

  /** The guest instance type when none is named: a current small general-purpose type. */
  public static final String DEFAULT_INSTANCE_TYPE = "t3.small";

  /** The whole run's limit when none is named. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(2);

  static final Pattern IMAGE_ID = Pattern.compile("ami-([0-9a-f]{8}|[0-9a-f]{17})");
  // EC2's documented AMI name alphabet and length.
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9()\\[\\] ./\\-'@_]{3,128}");
  private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}");
  private static final Pattern KEY_ARN = Pattern.compile("arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/(.+)");
  private static final Pattern INSTANCE_TYPE = Pattern.compile("[a-z][a-z0-9-]*\\.[a-z0-9]+");
  private static final Pattern SUBNET = Pattern.compile("subnet-([0-9a-f]{8}|[0-9a-f]{17})");
  private static final Pattern GROUP = Pattern.compile("sg-([0-9a-f]{8}|[0-9a-f]{17})");

  /**
   * Checks every component; see the class comment.
   *
   * @param imageId the image
   * @param encryptedName the new name, or empty
   * @param kmsKeyId the key, or empty
   * @param tags the tags; copied
   * @param strategy the strategy
   * @param guestInstanceType the guest type
   * @param subnetId the subnet, or empty
   * @param securityGroupIds the groups; copied
   * @param validate whether to validate
   * @param timeout the limit
   * @param instance the instance-strategy settings
   */
  public EncryptSpec {
    Objects.requireNonNull(imageId, "imageId");
    Objects.requireNonNull(encryptedName, "encryptedName");
    Objects.requireNonNull(kmsKeyId, "kmsKeyId");
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(guestInstanceType, "guestInstanceType");
    Objects.requireNonNull(subnetId, "subnetId");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(instance, "instance");
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    securityGroupIds = List.copyOf(securityGroupIds);
    check(IMAGE_ID.matcher(imageId).matches(), "ID '" + imageId + "' is not an image id; expected ami- and 8 or 17 hex digits");
    encryptedName.ifPresent(name -> check(NAME.matcher(name).matches(), "--encrypted-ami-name '" + name
        + "' is not a legal image name; expected 3 to 128 characters of letters, digits, spaces and ( ) [ ] . / - ' @ _"));
    kmsKeyId.ifPresent(key -> check(KEY_ID.matcher(key).matches() || KEY_ARN.matcher(key).matches(), "--kms-key-id '"
        + key + "' is not a KMS key id or key ARN; expected e.g. 1234abcd-12ab-34cd-56ef-1234567890ab or "
        + "arn:aws:kms:REGION:ACCOUNT:key/ID (aliases cannot be checked against the snapshots' key without KMS)"));
    tags.forEach((key, value) -> {
      check(!key.isEmpty() && key.length() <= 128 && value.length() <= 256,
          "--tag " + key + "=" + value + ": expected a key of 1 to 128 characters and a value of at most 256");
      check(!key.startsWith("aws:") && !key.startsWith(SessionTags.PREFIX),
          "--tag " + key + ": keys starting with aws: or " + SessionTags.PREFIX + " are reserved");
    });
    check(tags.size() <= 40, "--tag: at most 40 tags, got " + tags.size());
    check(INSTANCE_TYPE.matcher(guestInstanceType).matches(),
        "--guest-instance-type '" + guestInstanceType + "' is not an instance type; expected e.g. " + DEFAULT_INSTANCE_TYPE);
    subnetId.ifPresent(s -> check(SUBNET.matcher(s).matches(), "--subnet '" + s + "' is not a subnet id; expected subnet- and 8 or 17 hex digits"));
    securityGroupIds.forEach(g -> check(GROUP.matcher(g).matches(),
        "--security-group '" + g + "' is not a security group id; expected sg- and 8 or 17 hex digits"));
    check(!timeout.isNegative() && !timeout.isZero(), "--timeout must be positive, got " + timeout);
    check(strategy != Strategy.INSTANCE || instance.encryptorImageId().isPresent() || instance.encryptorCatalog().isPresent(),
        "--encryptor-ami or --encryptor-catalog is required with --strategy instance; expected the encryptor image of this region");
    check(strategy != Strategy.INSTANCE || instance.statusCidr().isPresent() || subnetId.isPresent(),
        "--status-cidr or --subnet is required with --strategy instance: the status port admits only this machine's "
            + "address on its route to the encryptor's subnet; expected one of them");
  }

  /**
   * A builder for the image {@code imageId}, with every other setting at its default.
   *
   * @param imageId the image to encrypt, {@code ami-...}
   * @return a new builder
   */
  public static Builder builder(String imageId) {
    return new Builder(imageId);
  }

  static void check(boolean ok, String message) {
    if (!ok) {
      throw EncryptorException.invalid(message);
    }
  }

  /** The key id a snapshot's key ARN must end with, or the ARN itself. */
  static String keySuffix(String kmsKeyId) {
    var arn = KEY_ARN.matcher(kmsKeyId);
    return arn.matches() ? arn.group(1) : kmsKeyId;
  }

  /** Settings for an {@link EncryptSpec}; {@link #build()} checks them. */
  public static final class Builder {

    private final String imageId;
    private String encryptedName;
    private String kmsKeyId;
    private final Map<String, String> tags = new LinkedHashMap<>();
    private Strategy strategy = Strategy.NATIVE;
    private String guestInstanceType = DEFAULT_INSTANCE_TYPE;
    private String subnetId;
    private List<String> securityGroupIds = List.of();
    private boolean validate = true;
    private Duration timeout = DEFAULT_TIMEOUT;
    private InstanceSettings instance = InstanceSettings.builder().build();

    private Builder(String imageId) {
      this.imageId = Objects.requireNonNull(imageId, "imageId");
    }

    /**
     * The new image's name; by default the source's name with {@code " (encrypted ...)"} appended.
     *
     * @param name 3 to 128 characters of EC2's image-name alphabet, or {@code null} for the default
     * @return this builder
     */
    public Builder encryptedName(String name) {
      this.encryptedName = name;
      return this;
    }

    /**
     * The KMS key; by default the account's EBS default key ({@code GetEbsDefaultKmsKeyId}).
     *
     * @param kmsKeyId a key id or key ARN, or {@code null} for the default
     * @return this builder
     */
    public Builder kmsKeyId(String kmsKeyId) {
      this.kmsKeyId = kmsKeyId;
      return this;
    }

    /**
     * One more tag for every resource the run creates (the new image included).
     *
     * @param key the key, not {@code aws:} or {@code berth:}
     * @param value the value
     * @return this builder
     */
    public Builder tag(String key, String value) {
      tags.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * How to encrypt; {@link Strategy#NATIVE} by default.
     *
     * @param strategy the strategy
     * @return this builder
     */
    public Builder strategy(Strategy strategy) {
      this.strategy = Objects.requireNonNull(strategy, "strategy");
      return this;
    }

    /**
     * The type of any instance the run launches; {@value #DEFAULT_INSTANCE_TYPE} by default.
     *
     * @param type e.g. {@code t3.small}
     * @return this builder
     */
    public Builder guestInstanceType(String type) {
      this.guestInstanceType = Objects.requireNonNull(type, "type");
      return this;
    }

    /**
     * The subnet of any instance the run launches; the account's default by default.
     *
     * @param subnetId {@code subnet-...}, or {@code null}
     * @return this builder
     */
    public Builder subnetId(String subnetId) {
      this.subnetId = subnetId;
      return this;
    }

    /**
     * The security groups of any instance the run launches.
     *
     * @param groupIds {@code sg-...} ids
     * @return this builder
     */
    public Builder securityGroupIds(List<String> groupIds) {
      this.securityGroupIds = List.copyOf(groupIds);
      return this;
    }

    /**
     * Whether to run the checks that can refuse the request (on by default; {@code --no-validate}).
     *
     * @param validate false to skip them
     * @return this builder
     */
    public Builder validate(boolean validate) {
      this.validate = validate;
      return this;
    }

    /**
     * The whole run's limit, cleanup excluded; 2 hours by default.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * The settings of strategy {@code instance}; {@code InstanceSettings.builder().build()} by default.
     *
     * @param instance the settings
     * @return this builder
     */
    public Builder instance(InstanceSettings instance) {
      this.instance = Objects.requireNonNull(instance, "instance");
      return this;
    }

    /**
     * Checks the settings.
     *
     * @return the spec
     * @throws EncryptorException of kind {@code INVALID} naming the option that is wrong
     */
    public EncryptSpec build() {
      return new EncryptSpec(imageId, Optional.ofNullable(encryptedName), Optional.ofNullable(kmsKeyId), tags, strategy,
          guestInstanceType, Optional.ofNullable(subnetId), securityGroupIds, validate, timeout, instance);
    }
  }
}
