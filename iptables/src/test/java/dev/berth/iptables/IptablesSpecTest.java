package dev.berth.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.iptables.IptablesSpec.Ipv6;
import dev.berth.iptables.IptablesSpec.Steering;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class IptablesSpecTest {

  @Test
  void dnat_defaults() {
    IptablesSpec spec = IptablesSpec.dnat("172.17.0.1", 18000);
    assertThat(spec.steering()).isEqualTo(Steering.DNAT);
    assertThat(spec.proxyAddress().getHostAddress()).isEqualTo("172.17.0.1");
    assertThat(spec.proxyAddress6()).isNull();
    assertThat(spec.interfaces()).isEmpty();
    assertThat(spec.loopbackAllowed()).isFalse();
    assertThat(spec.ipv6()).isEqualTo(Ipv6.AUTO);
  }

  @Test
  void interfaces_sortedAndDeduplicated_soTheSameSetRendersTheSameRules() {
    IptablesSpec a = IptablesSpec.redirect(18000).withInterfaces(List.of("docker0", "br-b", "br-a", "docker0"));
    IptablesSpec b = IptablesSpec.redirect(18000).withInterfaces(List.of("br-a", "docker0", "br-b"));
    assertThat(a.interfaces()).containsExactly("br-a", "br-b", "docker0");
    assertThat(a).isEqualTo(b);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 65_536, 100_000})
  void proxyPort_outOfRange(int port) {
    assertThatThrownBy(() -> IptablesSpec.redirect(port))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("proxy port " + port + " is outside 1..65535");
  }

  @Test
  void proxyAddress_notAnAddress() {
    assertThatThrownBy(() -> IptablesSpec.dnat("proxy.local", 18000))
        .hasMessage("proxy address 'proxy.local' is not an IPv4 or IPv6 address (no host names)");
  }

  @Test
  void proxyAddress_loopback_explainsRouteLocalnet() {
    assertThatThrownBy(() -> IptablesSpec.dnat("127.0.0.1", 18000))
        .hasMessageContaining("is loopback").hasMessageContaining("route_localnet").hasMessageContaining("REDIRECT");
  }

  @Test
  void proxyAddress_wildcard_pointsToRedirect() {
    assertThatThrownBy(() -> IptablesSpec.dnat("0.0.0.0", 18000)).hasMessageContaining("use REDIRECT");
  }

  @Test
  void proxyAddress_ipv6_pointsToTheIpv6Setting() {
    assertThatThrownBy(() -> IptablesSpec.dnat("fd00::1", 18000)).hasMessageContaining("is IPv6");
  }

  @Test
  void proxyAddress6_ipv4_refused() {
    assertThatThrownBy(() -> IptablesSpec.dnat("172.17.0.1", 18000).withProxyAddress6("172.17.0.2"))
        .hasMessageContaining("is IPv4");
  }

  @Test
  void redirect_withAddress_refused() {
    assertThatThrownBy(() -> new IptablesSpec(Steering.REDIRECT, Addresses.parse("a", "172.17.0.1"), null, 18000,
        List.of(), false, Ipv6.AUTO)).hasMessageContaining("REDIRECT takes no proxy address");
  }

  @Test
  void dnat_withoutAddress_refused() {
    assertThatThrownBy(() -> new IptablesSpec(Steering.DNAT, null, null, 18000, List.of(), false, Ipv6.AUTO))
        .hasMessageContaining("DNAT needs the IPv4 address");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "eth0 -j ACCEPT", "a-name-that-is-far-too-long", "br+", "..", "eth0;rm"})
  void interface_notAName(String name) {
    assertThatThrownBy(() -> IptablesSpec.redirect(18000).withInterfaces(List.of(name)))
        .hasMessageContaining("interface '" + name + "' is not an interface name");
  }

  @Test
  void interface_loopback_pointsToAllowLoopback() {
    assertThatThrownBy(() -> IptablesSpec.redirect(18000).withInterfaces(List.of("lo")))
        .hasMessageContaining("--allow-loopback");
  }

  @Test
  void forListener_wildcard_redirects() {
    IptablesSpec spec = IptablesSpec.forListener(new InetSocketAddress("0.0.0.0", 18000));
    assertThat(spec).isEqualTo(IptablesSpec.redirect(18000));
  }

  @Test
  void forListener_bridgeAddress_dnats() {
    IptablesSpec spec = IptablesSpec.forListener(new InetSocketAddress("172.17.0.1", 18000));
    assertThat(spec).isEqualTo(IptablesSpec.dnat("172.17.0.1", 18000));
  }

  @Test
  void forListener_loopback_refused() {
    assertThatThrownBy(() -> IptablesSpec.forListener(new InetSocketAddress("127.0.0.1", 18000)))
        .hasMessageContaining("is loopback");
  }
}
