package dev.berth.proxy.policy;

import dev.berth.proxy.docker.Container;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns a container into the role it may assume.
 *
 * <p>The role comes from the container's role label, else its {@code IAM_ROLE} environment
 * variable, else the default role. Short names are prefixed with the base role ARN; the result
 * must match the allow-list.
 *
 * <pre>{@code
 * RolePolicy policy = new RolePolicy(RolePolicy.Settings.defaults()
 *     .withBaseRoleArn("arn:aws:iam::123456789012:role/")
 *     .withDefaultRole("app-default"));
 * Decision decision = policy.decide(container);
 * }</pre>
 */
public final class RolePolicy {

  /**
   * The environment variable a container may set to name its role: the only one the policy reads,
   * and so the only one a {@link Container} keeps ({@link Container#KEPT_ENV}).
   */
  public static final String ROLE_ENV = Container.ROLE_ENV;

  /** The label iam-docker introduced, and Berth's default. */
  public static final String DEFAULT_ROLE_LABEL = "com.swipely.iam-docker.iam-profile";

  private static final Pattern SESSION_CHAR = Pattern.compile("[^\\w+=,.@-]");
  private static final int MAX_SESSION_NAME = 64;

  /**
   * The policy's settings.
   *
   * @param roleLabel the label that names a container's role
   * @param defaultRole the role for containers that name none, or {@code null} for no credentials
   * @param baseRoleArn the prefix for short role names, ending in {@code role/}, or {@code null}
   * @param allowedRoles the pattern every full role ARN must match
   * @param perRoleSessions share one session per role instead of one per container
   */
  public record Settings(
      String roleLabel,
      String defaultRole,
      String baseRoleArn,
      Pattern allowedRoles,
      boolean perRoleSessions) {

    public Settings {
      Objects.requireNonNull(roleLabel, "roleLabel");
      Objects.requireNonNull(allowedRoles, "allowedRoles");
      if (roleLabel.isBlank()) {
        throw new IllegalArgumentException("role label is empty: give --role-label a label name");
      }
      if (baseRoleArn != null && !isBaseArn(baseRoleArn)) {
        throw new IllegalArgumentException(
            "base role ARN '" + baseRoleArn + "' is not of the form arn:aws:iam::123456789012:role/ (or .../role/path/)");
      }
      String defaultArn = defaultRole == null || defaultRole.isBlank() ? null
          : defaultRole.trim().startsWith("arn:") ? defaultRole.trim()
          : baseRoleArn == null ? null : baseRoleArn + defaultRole.trim();
      if (defaultArn != null) {
        try {
          RoleArn.parse(defaultArn);
        } catch (IllegalArgumentException invalid) {
          throw new IllegalArgumentException("--default-role: " + invalid.getMessage(), invalid);
        }
      }
    }

    private static boolean isBaseArn(String arn) {
      if (!arn.endsWith("/")) {
        return false;
      }
      try {
        RoleArn.parse(arn + "x");
        return true;
      } catch (IllegalArgumentException invalid) {
        return false;
      }
    }

    /** The label from iam-docker, no default role, no base ARN, every role allowed, one session per container. */
    public static Settings defaults() {
      return new Settings(DEFAULT_ROLE_LABEL, null, null, Pattern.compile(".*"), false);
    }

    public Settings withDefaultRole(String role) {
      return new Settings(roleLabel, role, baseRoleArn, allowedRoles, perRoleSessions);
    }

    public Settings withBaseRoleArn(String arn) {
      return new Settings(roleLabel, defaultRole, arn, allowedRoles, perRoleSessions);
    }

    public Settings withAllowedRoles(Pattern pattern) {
      return new Settings(roleLabel, defaultRole, baseRoleArn, pattern, perRoleSessions);
    }

    public Settings withRoleLabel(String label) {
      return new Settings(label, defaultRole, baseRoleArn, allowedRoles, perRoleSessions);
    }

    public Settings withPerRoleSessions(boolean perRole) {
      return new Settings(roleLabel, defaultRole, baseRoleArn, allowedRoles, perRole);
    }
  }

  private final Settings settings;

  public RolePolicy(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** Decides the role binding for {@code container}. */
  public Decision decide(Container container) {
    Optional<String> named = requestedRole(container);
    String reason = nonBlank(container.labels().get(settings.roleLabel())).isPresent() ? "label " + settings.roleLabel()
        : nonBlank(container.env().get(ROLE_ENV)).isPresent() ? "env " + ROLE_ENV : "default role";
    if (named.isEmpty()) {
      return new Decision.Denied("no role: the container has no label " + settings.roleLabel()
          + " nor env " + ROLE_ENV + ", and there is no default role");
    }
    String role = named.get().trim();
    String arn;
    if (role.startsWith("arn:")) {
      arn = role;
    } else if (settings.baseRoleArn() != null) {
      arn = settings.baseRoleArn() + role;
    } else {
      return new Decision.Denied("role '" + RoleArn.printable(role)
          + "' is a short name and no base role ARN is set (--base-role-arn)");
    }
    try {
      // The allow-list and STS see the canonical ARN only, so no spelling of a path walks around the list.
      arn = RoleArn.parse(arn).toString();
    } catch (IllegalArgumentException invalid) {
      return new Decision.Denied(invalid.getMessage());
    }
    if (!settings.allowedRoles().matcher(arn).matches()) {
      return new Decision.Denied("role '" + arn + "' is not allowed by --allowed-roles " + settings.allowedRoles());
    }
    return settings.perRoleSessions()
        ? new Decision.Bound(new RoleBinding(arn, "berth", null, null), reason)
        : new Decision.Bound(new RoleBinding(arn, sessionName(container), null, container.id()), reason);
  }

  private Optional<String> requestedRole(Container container) {
    return nonBlank(container.labels().get(settings.roleLabel()))
        .or(() -> nonBlank(container.env().get(ROLE_ENV)))
        .or(() -> nonBlank(settings.defaultRole()));
  }

  private static Optional<String> nonBlank(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }

  /**
   * A role session name that tells CloudTrail readers which container acted: the container's name
   * (else its short id), cut to STS's character set and 64-character limit.
   */
  static String sessionName(Container container) {
    String base = container.name().isEmpty() ? container.shortId() : container.name();
    String cleaned = SESSION_CHAR.matcher(base).replaceAll("-");
    if (cleaned.length() > MAX_SESSION_NAME) {
      cleaned = cleaned.substring(0, MAX_SESSION_NAME);
    }
    return cleaned.length() < 2 ? "berth-" + container.shortId() : cleaned;
  }
}
