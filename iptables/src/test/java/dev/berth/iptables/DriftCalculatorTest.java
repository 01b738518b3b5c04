package dev.berth.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.iptables.Drift.Change;
import dev.berth.iptables.Drift.Kind;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class DriftCalculatorTest {

  private static final IptablesSpec SPEC = IptablesSpec.redirect(18000).withInterfaces(List.of("docker0"));

  private static Map<Table, SavedTable> saved(FakeHost host) {
    Map<Table, SavedTable> tables = new EnumMap<>(Table.class);
    for (Table table : Table.values()) {
      tables.put(table, SavedTable.parse(table.name, host.save("iptables", table.name)));
    }
    return tables;
  }

  private static Drift drift(FakeHost host, IptablesSpec spec) {
    return new Drift(DriftCalculator.compare(Family.IPV4, RuleRenderer.render(spec, Family.IPV4), saved(host)));
  }

  private static FakeHost installed() {
    FakeHost host = new FakeHost();
    host.given("iptables", RestorePlan.install(RuleRenderer.render(SPEC, Family.IPV4), saved(host)));
    return host;
  }

  @Test
  void installed_inSync() {
    assertThat(drift(installed(), SPEC).inSync()).isTrue();
  }

  @Test
  void cleanHost_everythingMissing() {
    Drift drift = drift(new FakeHost(), SPEC);
    assertThat(drift.changes()).extracting(Change::kind).containsOnly(Kind.MISSING);
    assertThat(drift.describe()).isEqualTo("""
        ipv4 filter:
        + :BERTH-INPUT - [0:0]
        + -A INPUT -j BERTH-INPUT
        + -A BERTH-INPUT -i docker0 -p tcp -m tcp --dport 18000 -j RETURN
        + -A BERTH-INPUT -p tcp -m tcp --dport 18000 -j DROP
        ipv4 nat:
        + :BERTH-PREROUTING - [0:0]
        + -A PREROUTING -j BERTH-PREROUTING
        + -A BERTH-PREROUTING -d 169.254.169.254/32 -i docker0 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 18000
        """);
  }

  @Test
  void bridgeReplaced_removedThenAdded_inRuleOrder() {
    Drift drift = drift(installed(), IptablesSpec.redirect(18000).withInterfaces(List.of("br-0123456789ab")));
    assertThat(drift.describe()).isEqualTo("""
        ipv4 filter:
        - -A BERTH-INPUT -i docker0 -p tcp -m tcp --dport 18000 -j RETURN
        + -A BERTH-INPUT -i br-0123456789ab -p tcp -m tcp --dport 18000 -j RETURN
        ipv4 nat:
        - -A BERTH-PREROUTING -d 169.254.169.254/32 -i docker0 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 18000
        + -A BERTH-PREROUTING -d 169.254.169.254/32 -i br-0123456789ab -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 18000
        """);
  }

  @Test
  void guardJumpNotFirst_misplaced() {
    FakeHost host = installed();
    host.given("iptables", "*filter\n-I INPUT 1 -p tcp -m tcp --dport 18000 -j ACCEPT\nCOMMIT\n");
    assertThat(drift(host, SPEC).changes()).containsExactly(new Change("ipv4", "filter", Kind.MISPLACED,
        "-A INPUT -j BERTH-INPUT   (rule 2 of INPUT; it must be rule 1)"));
  }

  @Test
  void natJumpNotFirst_fine() {
    FakeHost host = installed();
    host.given("iptables", "*nat\n-I PREROUTING 1 -p udp -j RETURN\nCOMMIT\n");
    assertThat(drift(host, SPEC).inSync()).isTrue();
  }

  @Test
  void foreignRuleInBerthChain_andSecondJump_unexpected() {
    FakeHost host = installed();
    host.given("iptables", "*nat\n-A BERTH-PREROUTING -j RETURN\n-A PREROUTING -j BERTH-PREROUTING\nCOMMIT\n");
    assertThat(drift(host, SPEC).changes()).extracting(Change::kind, Change::rule).containsExactly(
        org.assertj.core.groups.Tuple.tuple(Kind.UNEXPECTED, "-A PREROUTING -j BERTH-PREROUTING"),
        org.assertj.core.groups.Tuple.tuple(Kind.UNEXPECTED, "-A BERTH-PREROUTING -j RETURN"));
  }

  @Test
  void otherToolsMetadataRule_conflict() {
    FakeHost host = installed();
    host.given("iptables", """
        *nat
        -A PREROUTING -d 169.254.169.254/32 -i docker0 -p tcp -m tcp --dport 80 -j DNAT --to-destination 172.17.0.1:8181
        -A OUTPUT -d 169.254.169.254/32 -p tcp -j RETURN
        -A PREROUTING ! -d 169.254.169.254/32 -p tcp -j RETURN
        COMMIT
        """);
    Drift drift = drift(host, SPEC);
    assertThat(drift.hasConflicts()).isTrue();
    assertThat(drift.changes()).containsExactly(new Change("ipv4", "nat", Kind.CONFLICT,
        "-A PREROUTING -d 169.254.169.254/32 -i docker0 -p tcp -m tcp --dport 80 -j DNAT --to-destination 172.17.0.1:8181"));
  }
}
