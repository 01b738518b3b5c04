package dev.berth.proxy.credentials;

import dev.berth.proxy.policy.RoleBinding;
import reactor.core.publisher.Mono;

/**
 * Issues fresh credentials for a role binding: STS in production, an embedded issuer in local mode.
 * A failure is signalled as a {@link CredentialException}.
 */
@FunctionalInterface
public interface CredentialSource {

  /** Fetches new credentials for {@code binding}; never answers from a cache. */
  Mono<Credentials> fetch(RoleBinding binding);
}
