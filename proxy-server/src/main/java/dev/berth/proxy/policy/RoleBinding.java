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

  // equals and hashCode are the record's, written out: the generated ones link through
  // invokedynamic (java.lang.runtime.ObjectMethods) on their first call, spinning 8 and 14
  // method-handle classes on the loop. The warm-up's requests reach hashCode, but equals first runs
  // when a request's binding meets the prefetch's (another instance): in a container's first
  // request, which took 9-14 ms instead of 4-7 (bench/ready.sh, README.md "Performance").

  @Override
  public boolean equals(Object other) {
    return other instanceof RoleBinding that && roleArn.equals(that.roleArn) && sessionName.equals(that.sessionName)
        && Objects.equals(externalId, that.externalId) && Objects.equals(containerId, that.containerId);
  }

  @Override
  public int hashCode() {
    int hash = roleArn.hashCode();
    hash = 31 * hash + sessionName.hashCode();
    hash = 31 * hash + Objects.hashCode(externalId);
    return 31 * hash + Objects.hashCode(containerId);
  }
}
