package dev.berth.encryptor;

import java.util.Objects;

/**
 * A run that could not go on, with what it means for the caller: a refused request (nothing was
 * created) or a failure after which cleanup ran.
 */
public final class EncryptorException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why a run ended. */
  public enum Kind {
    /** The request was refused before any AWS write call: a usage or validation error. */
    INVALID,
    /** The run failed (EC2 error, timeout, verification); what it created has been cleaned up. */
    FAILED
  }

  private final Kind kind;

  /**
   * @param kind why the run ended
   * @param message one line saying what was wrong and, for a refusal, which option and what was expected
   * @param cause the underlying failure, or {@code null}
   */
  public EncryptorException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  static EncryptorException invalid(String message) {
    return new EncryptorException(Kind.INVALID, message, null);
  }

  static EncryptorException failed(String message, Throwable cause) {
    return new EncryptorException(Kind.FAILED, message, cause);
  }

  /**
   * Why the run ended.
   *
   * @return the kind
   */
  public Kind kind() {
    return kind;
  }
}
