package dev.berth.testing;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What an emulated EC2 instance reports about itself through {@link MetadataEmulator}.
 *
 * @param instanceId e.g. {@code i-0123456789abcdef0}
 * @param region e.g. {@code us-east-1}
 * @param availabilityZone e.g. {@code us-east-1a}
 * @param accountId the instance's twelve-digit account
 * @param localIpv4 the instance's private IPv4 address
 * @param instanceType e.g. {@code t3.micro}
 * @param imageId the AMI id, e.g. {@code ami-0123456789abcdef0}
 */
public record InstanceIdentity(
    String instanceId,
    String region,
    String availabilityZone,
    String accountId,
    String localIpv4,
    String instanceType,
    String imageId) {

  private static final Pattern INSTANCE_ID = Pattern.compile("i-[0-9a-f]{8}(?:[0-9a-f]{9})?");
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(?:-[a-z]+)+-\\d+");
  private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
  private static final Pattern IPV4 = Pattern.compile("(?:(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)");
  private static final Pattern IMAGE_ID = Pattern.compile("ami-[0-9a-f]{8}(?:[0-9a-f]{9})?");

  /**
   * Checks every component's shape; the exception names the one that is wrong.
   *
   * @param instanceId the instance id
   * @param region the region
   * @param availabilityZone the region plus one letter
   * @param accountId twelve digits
   * @param localIpv4 a dotted IPv4 address
   * @param instanceType the instance type
   * @param imageId the AMI id
   */
  public InstanceIdentity {
    check(INSTANCE_ID, instanceId, "instanceId", "i-0123456789abcdef0");
    check(REGION, region, "region", "us-east-1");
    Objects.requireNonNull(availabilityZone, "availabilityZone");
    if (!availabilityZone.startsWith(region) || availabilityZone.length() != region.length() + 1) {
      throw new IllegalArgumentException("availabilityZone must be the region plus one letter, like "
          + region + "a; got '" + availabilityZone + "'");
    }
    check(ACCOUNT, accountId, "accountId", "123456789012");
    check(IPV4, localIpv4, "localIpv4", "172.31.16.10");
    Objects.requireNonNull(instanceType, "instanceType");
    check(IMAGE_ID, imageId, "imageId", "ami-0123456789abcdef0");
  }

  private static void check(Pattern pattern, String value, String name, String example) {
    Objects.requireNonNull(value, name);
    if (!pattern.matcher(value).matches()) {
      throw new IllegalArgumentException(name + " must look like " + example + "; got '" + value + "'");
    }
  }
}
