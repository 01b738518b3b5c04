package dev.berth.proxy.policy;

import java.util.Objects;

/**
 * The role a caller is entitled to, and how to assume it. It is also the credential cache key:
 * two requests share credentials exactly when their bindings are equal.
 *
 * @param roleArn the full role ARN
 * @param sessionName the STS role session name, shown in CloudTrail
 * @param externalId the STS external id, or {@code null}
 * @param containerId the container the credentials belong to, or {@code null} when credentials are
 *     shared per role
 */
public record RoleBinding(String roleArn, String sessionName, String externalId, String containerId) {

  public RoleBinding {
    Objects.requireNonNull(roleArn, "roleArn");
    Objects.requireNonNull(sessionName, "sessionName");
  }

  /** The role's name: the last path segment of its ARN, as the metadata service lists it. */
  public String roleName() {
    return roleArn.substring(roleArn.lastIndexOf('/') + 1);
  }

  /** The role's ARN with {@code :role/} replaced by {@code :instance-profile/}, for {@code iam/info}. */
  public String instanceProfileArn() {
    return roleArn.replaceFirst(":role/", ":instance-profile/");
  }
}
