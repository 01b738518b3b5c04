package dev.berth.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

final class EmulatedHostTest {

  @Test
  void address_containerZeroIsTheLoadGenerator_othersDistinctOnLoopback() {
    Set<String> addresses = new HashSet<>();
    IntStream.range(0, 65_535).forEach(i -> addresses.add(EmulatedHost.address(i)));

    assertThat(EmulatedHost.address(0)).isEqualTo("127.0.0.1");
    assertThat(EmulatedHost.address(1)).isEqualTo("127.1.0.1");
    assertThat(EmulatedHost.address(999)).isEqualTo("127.1.3.231");
    assertThat(addresses).hasSize(65_535).allMatch(a -> a.startsWith("127."));
  }

  @Test
  void labelsAndEnv_nameOneOfFiftyRoles() {
    assertThat(EmulatedHost.labels(51)).containsEntry("com.swipely.iam-docker.iam-profile", "role-1");
    assertThat(EmulatedHost.env(51)).containsEntry("IAM_ROLE", "role-1").containsKeys("PATH", "LANG");
    assertThat(IntStream.range(0, 1000).mapToObj(i -> EmulatedHost.labels(i).get("com.swipely.iam-docker.iam-profile")).distinct())
        .hasSize(50);
  }
}
