package dev.berth.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.testing.DockerLab.ContainerSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerLabTest {

  @Test
  void specDefaultsToABusyboxThatSleeps() {
    ContainerSpec spec = ContainerSpec.named("c1");

    assertThat(spec.name()).isEqualTo("c1");
    assertThat(spec.image()).isEqualTo("berth/busybox:latest");
    assertThat(spec.command()).containsExactly("sleep", "3600");
    assertThat(spec.labels()).isEmpty();
    assertThat(spec.env()).isEmpty();
    assertThat(spec.network()).isNull();
    assertThat(spec.mountHostRoot()).isFalse();
  }

  @Test
  void withersReturnCopies() {
    ContainerSpec base = ContainerSpec.named("c1");
    ContainerSpec spec =
        base.withLabel("a", "1").withEnv("IAM_ROLE", "r").withCommand("sh", "-c", "true")
            .withNetwork("n").withHostRoot().withImage("other:1");

    assertThat(base.labels()).isEmpty();
    assertThat(spec.labels()).isEqualTo(Map.of("a", "1"));
    assertThat(spec.env()).isEqualTo(Map.of("IAM_ROLE", "r"));
    assertThat(spec.command()).isEqualTo(List.of("sh", "-c", "true"));
    assertThat(spec.network()).isEqualTo("n");
    assertThat(spec.mountHostRoot()).isTrue();
    assertThat(spec.image()).isEqualTo("other:1");
  }

  @Test
  void aMissingEngineFailsWithTheOneLineHint() {
    assertThatThrownBy(() -> DockerLab.connect("unix:///nonexistent/berth-lab/docker.sock"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("Docker lab is not running: run scripts/lab/up (as root) first");
  }
}
