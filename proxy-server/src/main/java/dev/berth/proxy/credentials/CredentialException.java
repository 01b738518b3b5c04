package dev.berth.proxy.credentials;

/**
 * Why credentials could not be had. {@code code} is the STS error code (or Berth's own, such as
 * {@code Timeout}); {@code retryable} says whether asking again soon may succeed. The message is for
 * the log only: it may carry STS's own text, its endpoint and the host's role ARN, so callers are told
 * no more than whether to retry.
 */
public final class CredentialException extends RuntimeException {

  private final String code;
  private final boolean retryable;

  public CredentialException(String code, String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.retryable = retryable;
  }

  public CredentialException(String code, String message, boolean retryable) {
    this(code, message, retryable, null);
  }

  /** The error code, e.g. {@code AccessDenied}, {@code Throttling}. */
  public String code() {
    return code;
  }

  /** Whether a later attempt may succeed without a change of configuration. */
  public boolean retryable() {
    return retryable;
  }
}
