package dev.berth.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.iptables.Iptables.Backend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class HostFactsTest {

  @ParameterizedTest
  @CsvSource({
      "'iptables v1.8.9 (nf_tables)', NFT",
      "'ip6tables v1.8.9 (nf_tables)\n', NFT",
      "'iptables v1.8.7 (legacy)', LEGACY",
      "'iptables v1.6.1', LEGACY",
      "'iptables v1.4.21\n', LEGACY"})
  void backend_fromVersion(String version, Backend expected) {
    assertThat(HostFacts.backend(version)).isEqualTo(expected);
  }

  @Test
  void backend_unknown_saysHowToChoose() {
    assertThatThrownBy(() -> HostFacts.backend("iptables v2.0 (something-new)"))
        .isInstanceOf(IptablesException.class)
        .hasMessageContaining("--backend nft or --backend legacy");
  }

  @Test
  void binary_perBackend() {
    assertThat(HostFacts.binary(Family.IPV4, Backend.AUTO, "save")).isEqualTo("iptables-save");
    assertThat(HostFacts.binary(Family.IPV6, Backend.NFT, "restore")).isEqualTo("ip6tables-nft-restore");
    assertThat(HostFacts.binary(Family.IPV4, Backend.LEGACY, "restore")).isEqualTo("iptables-legacy-restore");
  }

  @Test
  void interfaces_fromProcNetDev() {
    String dev = """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
        docker0:   1234      10    0    0    0     0          0         0     5678      12    0    0    0     0       0          0
        br-0123456789ab:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
        """;
    assertThat(HostFacts.interfaces(dev)).containsExactly("br-0123456789ab", "docker0", "lo");
  }
}
