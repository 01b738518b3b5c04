package dev.berth.iptables;

import java.util.Objects;

/**
 * Why Berth's rules could not be read or written. The message is one line that says what was wrong
 * and what to do, fit to print as it is; {@link #reason()} tells callers which case it was.
 */
public final class IptablesException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The cases a caller may want to tell apart. */
  public enum Reason {
    /** An iptables binary (or nsenter) is not installed. */
    MISSING_BINARY,
    /** Not root, or without CAP_NET_ADMIN. */
    PERMISSION_DENIED,
    /** Another program held the xtables lock for longer than the lock wait. */
    LOCKED,
    /** The kernel lacks a table or the backend in use. */
    UNSUPPORTED,
    /** A spec names an interface the host does not have. */
    UNKNOWN_INTERFACE,
    /** Another tool's rule already rewrites traffic for the metadata address. */
    CONFLICT,
    /** Anything else iptables refused. */
    FAILED
  }

  private final Reason reason;

  IptablesException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** Which case this is. */
  public Reason reason() {
    return reason;
  }
}
