package dev.berth.proxy.credentials;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Temporary credentials for one role binding.
 *
 * @param accessKeyId the access key id
 * @param secretAccessKey the secret access key
 * @param sessionToken the session token
 * @param expiration when the credentials stop working
 * @param lastUpdated when they were issued
 * @param accountId the account the role belongs to, for the extended credential document
 */
public record Credentials(
    String accessKeyId,
    String secretAccessKey,
    String sessionToken,
    Instant expiration,
    Instant lastUpdated,
    String accountId) {

  public Credentials {
    Objects.requireNonNull(accessKeyId, "accessKeyId");
    Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    Objects.requireNonNull(sessionToken, "sessionToken");
    Objects.requireNonNull(expiration, "expiration");
    Objects.requireNonNull(lastUpdated, "lastUpdated");
    accountId = accountId == null ? "" : accountId;
  }

  /** How long the credentials remain valid after {@code now}; negative once expired. */
  public Duration remaining(Instant now) {
    return Duration.between(now, expiration);
  }

  @Override
  public String toString() {
    return "Credentials[" + accessKeyId + ", expires " + expiration + "]";
  }
}
