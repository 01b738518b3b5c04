package dev.berth.proxy.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class ContainerTest {

  @Test
  void new_keepsOnlyTheEnvThePolicyReads() {
    Container container = new Container("0123456789abcdef", "/web", "img", Map.of(),
        Map.of("IAM_ROLE", "app", "DB_PASSWORD", "hunter2", "PATH", "/bin"), Set.of());

    assertThat(container.env()).isEqualTo(Map.of("IAM_ROLE", "app"));
    assertThat(container.name()).isEqualTo("web");
  }

  @Test
  void keptEnv_engineEntries_onlyKeptNamesAndWholeValues() {
    Map<String, String> env = Container.keptEnv(
        List.of("PATH=/bin", "IAM_ROLE=arn:aws:iam::123456789012:role/a=b", "IAM_ROLE_X=no", "=odd", "IAM_ROLE"));

    assertThat(env).isEqualTo(Map.of("IAM_ROLE", "arn:aws:iam::123456789012:role/a=b"));
  }
}
