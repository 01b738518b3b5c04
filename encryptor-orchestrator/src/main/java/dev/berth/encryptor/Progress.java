package dev.berth.encryptor;

import java.util.Objects;

/**
 * How far an encryptor instance has come, as its status port reports it (strategy
 * {@code instance}); a host shows it as a progress bar, a daemon streams it.
 *
 * @param sessionId the run
 * @param state initial, downloading, encrypting, finished or failed
 * @param bytesWritten bytes encrypted so far
 * @param bytesTotal bytes to encrypt, 0 while unknown
 */
public record Progress(String sessionId, String state, long bytesWritten, long bytesTotal) {

  /**
   * Null-checks the components.
   *
   * @param sessionId the run
   * @param state the state
   * @param bytesWritten bytes so far
   * @param bytesTotal bytes in all
   */
  public Progress {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(state, "state");
  }

  /**
   * The share done.
   *
   * @return 0 to 100, or -1 while the total is unknown
   */
  public int percent() {
    return bytesTotal <= 0 ? -1 : (int) Math.min(100, bytesWritten * 100 / bytesTotal);
  }
}
