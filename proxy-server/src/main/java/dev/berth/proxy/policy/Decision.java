package dev.berth.proxy.policy;

/** What {@link RolePolicy} decided for one container: a role binding, or a denial with its reason. */
public sealed interface Decision {

  /**
   * The container may have credentials for {@code binding}.
   *
   * @param binding the role and session
   * @param reason where the role came from: its label, its {@code IAM_ROLE} or the default role
   */
  record Bound(RoleBinding binding, String reason) implements Decision {}

  /** The container gets no credentials, for {@code reason} (written to the log, never to the caller). */
  record Denied(String reason) implements Decision {}
}
