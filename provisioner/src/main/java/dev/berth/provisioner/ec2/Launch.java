package dev.berth.provisioner.ec2;

import dev.berth.provisioner.spec.GroupSpec;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code RunInstances} call for a group: up to {@code count} instances of its spec, made
 * idempotent by {@code clientToken}.
 *
 * @param spec the group whose instances to launch
 * @param count how many, at least 1 (a partial launch of at least one is accepted when capacity is short)
 * @param privateIpAddress the address of the one instance, for a {@code LogicalIDs} group
 * @param clientToken at most 64 ASCII characters; the same token with the same call never launches twice
 */
public record Launch(GroupSpec spec, int count, Optional<String> privateIpAddress, String clientToken) {

  /**
   * Checks the combination.
   *
   * @param spec the group
   * @param count at least 1
   * @param privateIpAddress an address only with a count of 1
   * @param clientToken the idempotency token
   */
  public Launch {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(privateIpAddress, "privateIpAddress");
    Objects.requireNonNull(clientToken, "clientToken");
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, got " + count);
    }
    if (privateIpAddress.isPresent() && count != 1) {
      throw new IllegalArgumentException("a private address names one instance, but count is " + count);
    }
    if (clientToken.isEmpty() || clientToken.length() > 64) {
      throw new IllegalArgumentException("clientToken must be 1-64 characters, got '" + clientToken + "'");
    }
  }
}
