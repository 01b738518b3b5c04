package dev.berth.proxy.policy;

/** What {@link RolePolicy} decided for one container: a role binding, or a denial with its reason. */
public sealed interface Decision {

  /** The container may have credentials for {@code binding}. */
  record Bound(RoleBinding binding) implements Decision {}

  /** The container gets no credentials, for {@code reason} (written to the log, never to the caller). */
  record Denied(String reason) implements Decision {}
}
