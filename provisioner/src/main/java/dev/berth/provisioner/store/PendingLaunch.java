package dev.berth.provisioner.store;

import java.util.Objects;
import java.util.Optional;

/**
 * A {@code RunInstances} that was asked for and whose outcome is not known: written before the
 * call, removed after its answer, so that after a crash or timeout the same call (same client
 * token, same parameters) is made again instead of a new one.
 *
 * @param clientToken the call's client token
 * @param count how many instances it asked for
 * @param privateIpAddress the address it asked for, for a {@code LogicalIDs} group
 */
public record PendingLaunch(String clientToken, int count, Optional<String> privateIpAddress) {

  /**
   * Null-checks.
   *
   * @param clientToken the token
   * @param count at least 1
   * @param privateIpAddress the address, if any
   */
  public PendingLaunch {
    Objects.requireNonNull(clientToken, "clientToken");
    Objects.requireNonNull(privateIpAddress, "privateIpAddress");
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, got " + count);
    }
  }
}
