package dev.berth.provisioner.spec;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How many instances a group has: a {@code Size}, or one instance per logical id (a private IP
 * address), never both.
 *
 * @param size the number of instances, when allocated by size
 * @param logicalIds the private addresses, one instance each, when allocated by logical id; else empty
 */
public record Allocation(Optional<Integer> size, List<String> logicalIds) {

  /**
   * Checks that exactly one method is used.
   *
   * @param size the size, or empty
   * @param logicalIds the logical ids, or empty; copied
   */
  public Allocation {
    Objects.requireNonNull(size, "size");
    logicalIds = List.copyOf(logicalIds);
    if (size.isPresent() == !logicalIds.isEmpty()) {
      throw new IllegalArgumentException("an allocation has exactly one of Size or LogicalIDs");
    }
    if (size.isPresent() && size.get() < 0) {
      throw new IllegalArgumentException("Size must not be negative, got " + size.get());
    }
  }

  /**
   * An allocation of {@code size} interchangeable instances.
   *
   * @param size not negative
   * @return the allocation
   */
  public static Allocation ofSize(int size) {
    return new Allocation(Optional.of(size), List.of());
  }

  /**
   * One instance per private address.
   *
   * @param logicalIds at least one address
   * @return the allocation
   */
  public static Allocation ofLogicalIds(List<String> logicalIds) {
    return new Allocation(Optional.empty(), logicalIds);
  }

  /**
   * How many instances the group should have.
   *
   * @return the size, or the number of logical ids
   */
  public int count() {
    return size.orElse(logicalIds.size());
  }
}
