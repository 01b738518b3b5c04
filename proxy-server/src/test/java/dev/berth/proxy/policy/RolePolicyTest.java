package dev.berth.proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.proxy.docker.Container;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class RolePolicyTest {

  private static final String BASE = "arn:aws:iam::123456789012:role/";
  private final RolePolicy policy = new RolePolicy(RolePolicy.Settings.defaults().withBaseRoleArn(BASE));

  private static Container container(String name, Map<String, String> labels, Map<String, String> env) {
    return new Container("0123456789abcdef0123", name, "img", labels, env, Set.of());
  }

  private static RoleBinding bound(Decision decision) {
    assertThat(decision).isInstanceOf(Decision.Bound.class);
    return ((Decision.Bound) decision).binding();
  }

  @Test
  void decide_labelWinsOverEnv() {
    var c = container("/web", Map.of(RolePolicy.DEFAULT_ROLE_LABEL, "from-label"), Map.of("IAM_ROLE", "from-env"));
    assertThat(bound(policy.decide(c)).roleArn()).isEqualTo(BASE + "from-label");
  }

  @Test
  void decide_envWhenNoLabel() {
    var c = container("/web", Map.of(), Map.of("IAM_ROLE", "from-env"));
    assertThat(bound(policy.decide(c)).roleArn()).isEqualTo(BASE + "from-env");
  }

  @Test
  void decide_fullArnIsKept() {
    var c = container("/web", Map.of(), Map.of("IAM_ROLE", "arn:aws:iam::210987654321:role/team/app"));
    RoleBinding binding = bound(policy.decide(c));
    assertThat(binding.roleArn()).isEqualTo("arn:aws:iam::210987654321:role/team/app");
    assertThat(binding.roleName()).isEqualTo("app");
    assertThat(binding.instanceProfileArn()).isEqualTo("arn:aws:iam::210987654321:instance-profile/team/app");
  }

  @Test
  void decide_neitherAndNoDefault_denied() {
    assertThat(policy.decide(container("/web", Map.of(), Map.of()))).isInstanceOf(Decision.Denied.class);
  }

  @Test
  void decide_neither_getsDefault() {
    var withDefault = new RolePolicy(RolePolicy.Settings.defaults().withBaseRoleArn(BASE).withDefaultRole("fallback"));
    assertThat(bound(withDefault.decide(container("/web", Map.of(), Map.of()))).roleArn()).isEqualTo(BASE + "fallback");
  }

  @Test
  void decide_shortNameWithoutBase_deniedWithReason() {
    var noBase = new RolePolicy(RolePolicy.Settings.defaults());
    var decision = noBase.decide(container("/web", Map.of(), Map.of("IAM_ROLE", "app")));
    assertThat(((Decision.Denied) decision).reason()).contains("--base-role-arn");
  }

  @Test
  void decide_notAllowed_denied() {
    var strict = new RolePolicy(RolePolicy.Settings.defaults().withBaseRoleArn(BASE)
        .withAllowedRoles(Pattern.compile(".*:role/app-.*")));
    assertThat(strict.decide(container("/a", Map.of(), Map.of("IAM_ROLE", "app-web")))).isInstanceOf(Decision.Bound.class);
    var denied = strict.decide(container("/a", Map.of(), Map.of("IAM_ROLE", "admin")));
    assertThat(((Decision.Denied) denied).reason()).contains("not allowed");
  }

  @Test
  void decide_invalidArn_denied() {
    var c = container("/web", Map.of(), Map.of("IAM_ROLE", "arn:aws:iam::123:role/x"));
    assertThat(policy.decide(c)).isInstanceOf(Decision.Denied.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "app-x/../admin", "app-x/./admin", "app-x//admin", "/app-x", "app-x/", "..", ".", "app x", "app\nadmin",
      "app%2F..%2Fadmin", "app\\admin", "app*", "r\u00f4le", "arn:aws:iam::123456789012:role/app-x/../admin",
      "arn:aws:iam::123456789012:role/", "arn:aws:iam::123456789012:role//app", "arn:aws:iam::123456789012:user/app",
      "arn:aws:iam::123456789012:role/team/./app",
  })
  void decide_invalidRoleNameOrPath_deniedWithReason(String role) {
    Decision label = policy.decide(container("/web", Map.of(RolePolicy.DEFAULT_ROLE_LABEL, role), Map.of()));
    Decision env = policy.decide(container("/web", Map.of(), Map.of("IAM_ROLE", role)));
    assertThat(label).as(role).isInstanceOf(Decision.Denied.class);
    assertThat(env).as(role).isInstanceOf(Decision.Denied.class);
    assertThat(((Decision.Denied) label).reason()).contains("not a valid IAM role");
  }

  @Test
  void decide_pathWalkingOutOfTheAllowList_denied() {
    var strict = new RolePolicy(RolePolicy.Settings.defaults().withBaseRoleArn(BASE)
        .withAllowedRoles(Pattern.compile(".*:role/app-.*")));
    var decision = strict.decide(container("/a", Map.of(RolePolicy.DEFAULT_ROLE_LABEL, "app-x/../admin"), Map.of()));
    assertThat(((Decision.Denied) decision).reason()).contains("'..'");
  }

  @Test
  void decide_nameAndPathLimits() {
    String name64 = "n".repeat(64);
    assertThat(policy.decide(container("/a", Map.of(), Map.of("IAM_ROLE", name64)))).isInstanceOf(Decision.Bound.class);
    var tooLong = policy.decide(container("/a", Map.of(), Map.of("IAM_ROLE", name64 + "n")));
    assertThat(((Decision.Denied) tooLong).reason()).contains("64");
    String path521 = ("p".repeat(9) + "/").repeat(52);
    var longPath = policy.decide(container("/a", Map.of(), Map.of("IAM_ROLE", path521 + "app")));
    assertThat(((Decision.Denied) longPath).reason()).contains("512");
  }

  @Test
  void decide_validPathsAndCharacters_bound() {
    for (String role : new String[] {"team/app", "a/b/c/app+=,.@_-x", "App.Role@2"}) {
      assertThat(bound(policy.decide(container("/a", Map.of(), Map.of("IAM_ROLE", role)))).roleArn())
          .isEqualTo(BASE + role);
    }
  }

  @Test
  void decide_allowListIsAFullMatchOnTheArn() {
    var strict = new RolePolicy(RolePolicy.Settings.defaults().withBaseRoleArn(BASE)
        .withAllowedRoles(Pattern.compile("arn:aws:iam::123456789012:role/app-web")));
    assertThat(strict.decide(container("/a", Map.of(), Map.of("IAM_ROLE", "app-web")))).isInstanceOf(Decision.Bound.class);
    assertThat(strict.decide(container("/a", Map.of(), Map.of("IAM_ROLE", "app-web2")))).isInstanceOf(Decision.Denied.class);
    assertThat(strict.decide(container("/a", Map.of(), Map.of("IAM_ROLE", "x/app-web")))).isInstanceOf(Decision.Denied.class);
  }

  @Test
  void decide_reasonShowsTheNameWithoutControlCharacters() {
    var decision = policy.decide(container("/a", Map.of(), Map.of("IAM_ROLE", "app\nFAKE LOG LINE")));
    assertThat(((Decision.Denied) decision).reason()).doesNotContain("\n").contains("app\\nFAKE");
  }

  @Test
  void settings_invalidDefaultRole_rejectedAtStart() {
    assertThatThrownBy(() -> RolePolicy.Settings.defaults().withBaseRoleArn(BASE).withDefaultRole("app/../admin"))
        .hasMessageContaining("--default-role").hasMessageContaining("'..'");
    assertThatThrownBy(() -> RolePolicy.Settings.defaults().withDefaultRole("app/../admin").withBaseRoleArn(BASE))
        .hasMessageContaining("--default-role");
    assertThatThrownBy(() -> RolePolicy.Settings.defaults().withDefaultRole("arn:aws:iam::123456789012:role//x"))
        .hasMessageContaining("--default-role");
  }

  @Test
  void settings_baseArnWithDotSegment_rejected() {
    assertThatThrownBy(() -> RolePolicy.Settings.defaults().withBaseRoleArn("arn:aws:iam::123456789012:role/../"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void decide_perContainerSessions_keyedByContainer() {
    var c = container("/web", Map.of(), Map.of("IAM_ROLE", "app"));
    RoleBinding binding = bound(policy.decide(c));
    assertThat(binding.containerId()).isEqualTo(c.id());
    assertThat(binding.sessionName()).isEqualTo("web");
  }

  @Test
  void decide_perRoleSessions_sharedAcrossContainers() {
    var perRole = new RolePolicy(RolePolicy.Settings.defaults().withBaseRoleArn(BASE).withPerRoleSessions(true));
    var a = bound(perRole.decide(new Container("a1", "/a", "i", Map.of(), Map.of("IAM_ROLE", "app"), Set.of())));
    var b = bound(perRole.decide(new Container("b2", "/b", "i", Map.of(), Map.of("IAM_ROLE", "app"), Set.of())));
    assertThat(a).isEqualTo(b);
  }

  @Test
  void sessionName_cleanedAndCutTo64() {
    String longName = "/my app:" + "x".repeat(100);
    String session = RolePolicy.sessionName(container(longName, Map.of(), Map.of()));
    assertThat(session).hasSize(64).matches("[\\w+=,.@-]+").startsWith("my-app-");
  }

  @Test
  void sessionName_unnamedContainer_usesShortId() {
    assertThat(RolePolicy.sessionName(container("", Map.of(), Map.of()))).isEqualTo("0123456789ab");
  }

  @Test
  void settings_badBaseArn_rejectedWithFix() {
    assertThatThrownBy(() -> RolePolicy.Settings.defaults().withBaseRoleArn("arn:aws:iam::1:role"))
        .hasMessageContaining("arn:aws:iam::123456789012:role/");
  }
}
