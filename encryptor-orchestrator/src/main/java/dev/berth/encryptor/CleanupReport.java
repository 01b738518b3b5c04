package dev.berth.encryptor;

import java.util.List;
import java.util.Objects;

/**
 * What a cleanup did for one session.
 *
 * @param sessionId the session
 * @param deleted the ids it deleted (terminated, deregistered), in the order it did so
 * @param leftovers what it could not delete, each with the reason
 */
public record CleanupReport(String sessionId, List<String> deleted, List<Leftover> leftovers) {

  /**
   * One resource cleanup could not delete.
   *
   * @param id the resource id
   * @param reason EC2's error code and message, or the local reason
   */
  public record Leftover(String id, String reason) {

    /**
     * Null-checks the components.
     *
     * @param id the id
     * @param reason the reason
     */
    public Leftover {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Null-checks and freezes the lists.
   *
   * @param sessionId the session
   * @param deleted the deleted ids; copied
   * @param leftovers the leftovers; copied
   */
  public CleanupReport {
    Objects.requireNonNull(sessionId, "sessionId");
    deleted = List.copyOf(deleted);
    leftovers = List.copyOf(leftovers);
  }

  /**
   * Whether nothing was left behind.
   *
   * @return true if there are no leftovers
   */
  public boolean clean() {
    return leftovers.isEmpty();
  }
}
