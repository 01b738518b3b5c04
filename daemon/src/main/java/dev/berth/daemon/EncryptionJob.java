package dev.berth.daemon;

import java.time.Instant;
import java.util.Objects;

/**
 * One encryption job as the daemon shows it: where it stands, how far the copy has come, and how it
 * ended. A job's id is its encryptor session id, the tag every resource it creates carries.
 *
 * @param id the session id, {@code enc-} and 16 hex digits
 * @param sourceImage the image being encrypted
 * @param state {@code running}, {@code succeeded}, {@code failed}, {@code cancelling} or {@code cancelled}
 * @param phase the encryptor's own progress state ({@code copying}, {@code encrypting}, ...), or {@code null}
 * @param percent 0 to 100, or -1 while unknown
 * @param started when the job was accepted
 * @param finished when it ended, or {@code null} while it runs
 * @param imageId the encrypted image, once succeeded
 * @param error what went wrong ({@code failed}), or what cleanup left behind ({@code cancelled}); else {@code null}
 * @param errorKind {@code invalid} when the request was refused before anything was created, {@code failed}
 *     when the run failed (after cleanup); {@code null} otherwise
 */
public record EncryptionJob(String id, String sourceImage, String state, String phase, int percent, Instant started,
    Instant finished, String imageId, String error, String errorKind) {

  public EncryptionJob {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(sourceImage, "sourceImage");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(started, "started");
  }

  /** Whether the job has ended, one way or another. */
  public boolean done() {
    return state.equals("succeeded") || state.equals("failed") || state.equals("cancelled");
  }

  EncryptionJob progressed(String phase, int percent) {
    return new EncryptionJob(id, sourceImage, state, phase, percent, started, finished, imageId, error, errorKind);
  }

  EncryptionJob ended(String state, Instant at, String imageId, String error, String errorKind) {
    return new EncryptionJob(id, sourceImage, state, phase, state.equals("succeeded") ? 100 : percent, started, at,
        imageId, error, errorKind);
  }

  EncryptionJob cancelling() {
    return new EncryptionJob(id, sourceImage, "cancelling", phase, percent, started, null, null, null, null);
  }
}
