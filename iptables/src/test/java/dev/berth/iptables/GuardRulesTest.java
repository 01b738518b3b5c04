package dev.berth.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

final class GuardRulesTest {

  private static final PortBinding WEB = PortBinding.of("veth13a4a92", "02:42:C6:12:00:02",
      List.of(Addresses.parse("a", "198.18.0.2"), Addresses.parse("a", "fd00:b::2")));
  private static final PortBinding WORKER = PortBinding.of("vethd8f8571", "02:42:c6:12:00:03",
      List.of(Addresses.parse("a", "198.18.0.3")));

  @Test
  void table_replacesAnyOldTableInOneScript_andBindsEveryPort() {
    String script = GuardRules.table(List.of(WEB));
    assertThat(script).startsWith("table bridge berth\ndelete table bridge berth\ntable bridge berth {\n");
    assertThat(script).contains("type filter hook prerouting priority -300; policy accept;")
        .contains("add element bridge berth ports { \"veth13a4a92\" }")
        .contains("add element bridge berth port_mac { \"veth13a4a92\" . 02:42:c6:12:00:02 }")
        .contains("add element bridge berth claimed_ip4 { 198.18.0.2 }")
        .contains("\"veth13a4a92\" . fd00:b::2")
        // The link-local address the MAC gives is the port's own, and is not claimed host-wide.
        .contains("\"veth13a4a92\" . fe80::42:c6ff:fe12:2")
        .contains("add element bridge berth claimed_nd { 0xfd00000b000000000000000000000002 }");
    assertThat(script.lines().filter(line -> line.startsWith("add element bridge berth claimed_ip6")))
        .containsExactly("add element bridge berth claimed_ip6 { fd00:b::2 }");
  }

  @Test
  void update_deletesBeforeItAdds_andTouchesOnlyWhatChanged() {
    String script = GuardRules.update(List.of(WEB), List.of(WORKER));
    List<String> lines = script.lines().toList();
    assertThat(lines.get(0)).startsWith("delete element");
    assertThat(lines.get(lines.size() - 1)).isEqualTo("add element bridge berth ports { \"vethd8f8571\" }");
    assertThat(script).contains("delete element bridge berth claimed_ip4 { 198.18.0.2 }")
        .contains("add element bridge berth claimed_ip4 { 198.18.0.3 }");
    assertThat(GuardRules.update(List.of(WEB, WORKER), List.of(WORKER, WEB))).isEmpty();
  }

  @Test
  void update_anAddressMovingToAnotherPort_isFreedThenClaimed() {
    PortBinding moved = PortBinding.of("veth0000001", "02:42:c6:12:00:02", List.of(Addresses.parse("a", "198.18.0.2")));
    String script = GuardRules.update(List.of(WEB), List.of(moved));
    assertThat(script).contains("delete element bridge berth ports { \"veth13a4a92\" }")
        .contains("add element bridge berth ports { \"veth0000001\" }")
        .doesNotContain("claimed_ip4").doesNotContain("claimed_mac");
  }

  @Test
  void linkLocal_isTheModifiedEui64OfTheMac() {
    assertThat(Addresses.format(GuardRules.linkLocal("02:42:c6:12:00:02"))).isEqualTo("fe80::42:c6ff:fe12:2");
    assertThat(Addresses.format(GuardRules.linkLocal("4a:01:f9:da:af:52"))).isEqualTo("fe80::4801:f9ff:feda:af52");
  }

  @Test
  void portBinding_refusesWhatCannotBeBound() {
    List<java.net.InetAddress> one = List.of(Addresses.parse("a", "198.18.0.2"));
    assertThatThrownBy(() -> PortBinding.of("veth\"x", "02:42:c6:12:00:02", one)).hasMessageContaining("interface name");
    assertThatThrownBy(() -> PortBinding.of("veth0", "01:00:5e:00:00:01", one)).hasMessageContaining("unicast MAC");
    assertThatThrownBy(() -> PortBinding.of("veth0", "02:42:c6:12:00", one)).hasMessageContaining("unicast MAC");
    assertThatThrownBy(() -> PortBinding.of("veth0", "02:42:c6:12:00:02", List.of())).hasMessageContaining("no address");
  }
}
