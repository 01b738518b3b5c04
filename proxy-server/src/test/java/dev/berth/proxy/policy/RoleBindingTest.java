package dev.berth.proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The binding is the credential cache's key: two requests share credentials exactly when their
 * bindings are equal, component by component (its equals and hashCode are written out).
 */
final class RoleBindingTest {

  private static final String ARN = "arn:aws:iam::123456789012:role/app";

  @Test
  void equalComponents_equalBindings_sameHash() {
    RoleBinding a = new RoleBinding(ARN, "berth-c1", "ext", "c1");
    RoleBinding b = new RoleBinding(new String(ARN), new String("berth-c1"), new String("ext"), new String("c1"));

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(new RoleBinding(ARN, "s", null, null)).isEqualTo(new RoleBinding(ARN, "s", null, null))
        .hasSameHashCodeAs(new RoleBinding(ARN, "s", null, null));
  }

  @Test
  void anyComponentDiffers_bindingsDiffer() {
    RoleBinding a = new RoleBinding(ARN, "berth-c1", "ext", "c1");

    assertThat(a)
        .isNotEqualTo(new RoleBinding(ARN + "2", "berth-c1", "ext", "c1"))
        .isNotEqualTo(new RoleBinding(ARN, "berth-c2", "ext", "c1"))
        .isNotEqualTo(new RoleBinding(ARN, "berth-c1", null, "c1"))
        .isNotEqualTo(new RoleBinding(ARN, "berth-c1", "ext", null))
        .isNotEqualTo(new RoleBinding(ARN, "berth-c1", "ext", "c2"))
        .isNotEqualTo(null)
        .isNotEqualTo(ARN);
  }
}
