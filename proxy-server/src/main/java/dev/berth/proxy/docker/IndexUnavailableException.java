package dev.berth.proxy.docker;

/**
 * The container index cannot say who holds an address now: it lost the engine's events and the
 * engine does not answer. The caller is told to retry; it is never answered as whoever held the
 * address before.
 */
public final class IndexUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  IndexUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
