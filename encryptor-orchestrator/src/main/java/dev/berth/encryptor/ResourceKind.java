package dev.berth.encryptor;

/**
 * The kinds of EC2 resource a run creates, in the order cleanup deletes them: instances first
 * (their delete-on-termination volumes go with them, and security groups stay in use until they
 * are gone), then images (a snapshot behind a registered image cannot be deleted), snapshots,
 * volumes, and last security groups.
 */
public enum ResourceKind {
  /** An EC2 instance ({@code i-}): terminated. */
  INSTANCE,
  /** A machine image ({@code ami-}): deregistered, then its snapshots deleted. */
  IMAGE,
  /** An EBS snapshot ({@code snap-}): deleted. */
  SNAPSHOT,
  /** An EBS volume ({@code vol-}): deleted. */
  VOLUME,
  /** A security group ({@code sg-}): deleted. */
  SECURITY_GROUP;

  /**
   * The kind an EC2 id names.
   *
   * @param id e.g. {@code snap-0123456789abcdef0}
   * @return its kind
   */
  public static ResourceKind of(String id) {
    if (id.startsWith("i-")) {
      return INSTANCE;
    }
    if (id.startsWith("ami-")) {
      return IMAGE;
    }
    if (id.startsWith("snap-")) {
      return SNAPSHOT;
    }
    if (id.startsWith("vol-")) {
      return VOLUME;
    }
    if (id.startsWith("sg-")) {
      return SECURITY_GROUP;
    }
    throw new IllegalArgumentException("not an EC2 resource id this tool creates: " + id);
  }
}
