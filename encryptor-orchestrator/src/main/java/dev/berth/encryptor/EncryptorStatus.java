package dev.berth.encryptor;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One answer of an encryptor instance's status port ({@code GET /}), as brkt's encryptor sends it.
 *
 * @param state initial, downloading, encrypting, finished or failed
 * @param bytesWritten bytes encrypted so far
 * @param bytesTotal bytes to encrypt
 * @param failureCode why it failed, or {@code null}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record EncryptorStatus(
    @JsonProperty("state") String state,
    @JsonProperty("bytes_written") long bytesWritten,
    @JsonProperty("bytes_total") long bytesTotal,
    @JsonProperty("failure_code") String failureCode) {

  boolean finished() {
    return "finished".equals(state);
  }

  boolean failed() {
    return "failed".equals(state);
  }

  /** What counts as progress: a new state or more bytes. */
  String progressKey() {
    return state + ":" + bytesWritten;
  }

  String describe() {
    String percent = bytesTotal > 0 ? String.format(java.util.Locale.ROOT, " %.0f%% (%d of %d bytes)",
        100.0 * bytesWritten / bytesTotal, bytesWritten, bytesTotal) : "";
    return state + percent;
  }
}
