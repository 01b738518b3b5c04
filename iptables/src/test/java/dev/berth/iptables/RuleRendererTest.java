package dev.berth.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

final class RuleRendererTest {

  private static final List<String> BRIDGES = List.of("docker0", "br-0123456789ab");

  @Test
  void dnat_ipv4_oneRulePerBridge_thenGuard() {
    var rules = RuleRenderer.render(IptablesSpec.dnat("172.17.0.1", 18000).withInterfaces(BRIDGES), Family.IPV4);
    assertThat(rules.get(Table.NAT)).containsExactly(
        "-A BERTH-PREROUTING -d 169.254.169.254/32 -i br-0123456789ab -p tcp -m tcp --dport 80 -j DNAT --to-destination 172.17.0.1:18000",
        "-A BERTH-PREROUTING -d 169.254.169.254/32 -i docker0 -p tcp -m tcp --dport 80 -j DNAT --to-destination 172.17.0.1:18000");
    assertThat(rules.get(Table.FILTER)).containsExactly(
        "-A BERTH-INPUT -i br-0123456789ab -p tcp -m tcp --dport 18000 -j RETURN",
        "-A BERTH-INPUT -i docker0 -p tcp -m tcp --dport 18000 -j RETURN",
        "-A BERTH-INPUT -p tcp -m tcp --dport 18000 -j DROP");
  }

  @Test
  void perSourceLimits_beforeEachBridgesReturn_perFamily() {
    var spec = IptablesSpec.redirect(18000).withInterfaces(List.of("docker0")).withPerSourceLimits(256, 4000);
    assertThat(RuleRenderer.render(spec, Family.IPV4).get(Table.FILTER)).containsExactly(
        "-A BERTH-INPUT -i docker0 -p tcp -m tcp --dport 18000 -m connlimit --connlimit-above 256 --connlimit-mask 32 --connlimit-saddr -j REJECT --reject-with tcp-reset",
        "-A BERTH-INPUT -i docker0 -p tcp -m tcp --dport 18000 -m hashlimit --hashlimit-above 4000/sec --hashlimit-burst 8000 --hashlimit-mode srcip --hashlimit-name berth -j DROP",
        "-A BERTH-INPUT -i docker0 -p tcp -m tcp --dport 18000 -j RETURN",
        "-A BERTH-INPUT -p tcp -m tcp --dport 18000 -j DROP");
    assertThat(RuleRenderer.render(spec, Family.IPV6).get(Table.FILTER)).contains(
        "-A BERTH-INPUT -i docker0 -p tcp -m tcp --dport 18000 -m connlimit --connlimit-above 256 --connlimit-mask 128 --connlimit-saddr -j REJECT --reject-with tcp-reset",
        "-A BERTH-INPUT -i docker0 -p tcp -m tcp --dport 18000 -m hashlimit --hashlimit-above 4000/sec --hashlimit-burst 8000 --hashlimit-mode srcip --hashlimit-name berth6 -j DROP");
    assertThat(RuleRenderer.render(spec.withPerSourceLimits(0, 0), Family.IPV4).get(Table.FILTER)).hasSize(2);
  }

  @Test
  void redirect_ipv6_toPortOnly() {
    var rules = RuleRenderer.render(IptablesSpec.redirect(8080).withInterfaces(List.of("docker0")), Family.IPV6);
    assertThat(rules.get(Table.NAT)).containsExactly(
        "-A BERTH-PREROUTING -d fd00:ec2::254/128 -i docker0 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 8080");
  }

  @Test
  void dnat_ipv6_bracketedAddress() {
    var spec = IptablesSpec.dnat("172.17.0.1", 18000).withProxyAddress6("FD00:1:0:0::1").withInterfaces(List.of("docker0"));
    assertThat(RuleRenderer.render(spec, Family.IPV6).get(Table.NAT)).containsExactly(
        "-A BERTH-PREROUTING -d fd00:ec2::254/128 -i docker0 -p tcp -m tcp --dport 80 -j DNAT --to-destination [fd00:1::1]:18000");
  }

  @Test
  void dnat_ipv6WithoutAddress_guardOnly() {
    var rules = RuleRenderer.render(IptablesSpec.dnat("172.17.0.1", 18000).withInterfaces(List.of("docker0")), Family.IPV6);
    assertThat(rules.get(Table.NAT)).isEmpty();
    assertThat(rules.get(Table.FILTER)).hasSize(2);
  }

  @Test
  void loopbackAllowed_returnsForLoBeforeTheDrop() {
    var rules = RuleRenderer.render(IptablesSpec.redirect(18000).withLoopbackAllowed(true), Family.IPV4);
    assertThat(rules.get(Table.FILTER)).containsExactly(
        "-A BERTH-INPUT -i lo -p tcp -m tcp --dport 18000 -j RETURN",
        "-A BERTH-INPUT -p tcp -m tcp --dport 18000 -j DROP");
  }

  @Test
  void noInterfaces_failsClosed_dropOnly() {
    var rules = RuleRenderer.render(IptablesSpec.redirect(18000), Family.IPV4);
    assertThat(rules.get(Table.NAT)).isEmpty();
    assertThat(rules.get(Table.FILTER)).containsExactly("-A BERTH-INPUT -p tcp -m tcp --dport 18000 -j DROP");
  }
}
