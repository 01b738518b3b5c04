package dev.berth.proxy;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A container as the proxy sees it: the role it resolves to (or why it gets none) and the state of
 * its credentials. Never a secret: no key, no token.
 *
 * @param containerId the container's full id
 * @param name its name, without the leading slash
 * @param addresses the addresses it is known by
 * @param running false once it has left the index (the last record {@link BerthProxy#decisions()} sends for it)
 * @param role the full role ARN it gets credentials for, or {@code null} when it gets none
 * @param reason where the role came from ({@code label ...}, {@code env IAM_ROLE}, {@code default role}) or why it gets none
 * @param credentials the state of its credentials; all {@code null} until the first fetch
 */
public record ContainerDecision(String containerId, String name, List<String> addresses, boolean running, String role,
    String reason, CredentialState credentials) {

  public ContainerDecision {
    Objects.requireNonNull(containerId, "containerId");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(credentials, "credentials");
    addresses = List.copyOf(addresses);
  }

  /**
   * The state of a container's credentials.
   *
   * @param expiration when the credentials held now expire, or {@code null} if none are held
   * @param lastRefresh when they were last fetched from STS, or {@code null}
   * @param lastError the last fetch's error code and message if it failed ({@code null} once a fetch succeeds)
   */
  public record CredentialState(Instant expiration, Instant lastRefresh, String lastError) {

    static final CredentialState NONE = new CredentialState(null, null, null);

    CredentialState failed(String error) {
      return new CredentialState(expiration, lastRefresh, error);
    }
  }
}
