package dev.berth.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class RestorePlanTest {

  private static final IptablesSpec SPEC = IptablesSpec.dnat("172.17.0.1", 18000).withInterfaces(List.of("docker0"));

  private static Map<Table, SavedTable> saved(FakeHost host) {
    Map<Table, SavedTable> tables = new EnumMap<>(Table.class);
    for (Table table : Table.values()) {
      tables.put(table, SavedTable.parse(table.name, host.save("iptables", table.name)));
    }
    return tables;
  }

  @Test
  void install_cleanHost_filterFirst_chainsDeclared_jumpsInsertedFirst() {
    String batch = RestorePlan.install(RuleRenderer.render(SPEC, Family.IPV4), saved(new FakeHost()));
    assertThat(batch).isEqualTo("""
        *filter
        :BERTH-INPUT - [0:0]
        -A BERTH-INPUT -i docker0 -p tcp -m tcp --dport 18000 -j RETURN
        -A BERTH-INPUT -p tcp -m tcp --dport 18000 -j DROP
        -I INPUT 1 -j BERTH-INPUT
        COMMIT
        *nat
        :BERTH-PREROUTING - [0:0]
        -A BERTH-PREROUTING -d 169.254.169.254/32 -i docker0 -p tcp -m tcp --dport 80 -j DNAT --to-destination 172.17.0.1:18000
        -I PREROUTING 1 -j BERTH-PREROUTING
        COMMIT
        """);
  }

  @Test
  void install_inSync_nothingToDo() {
    FakeHost host = new FakeHost();
    host.given("iptables", RestorePlan.install(RuleRenderer.render(SPEC, Family.IPV4), saved(host)));
    assertThat(RestorePlan.install(RuleRenderer.render(SPEC, Family.IPV4), saved(host))).isEmpty();
  }

  @Test
  void install_onlyTheTableThatDrifted() {
    FakeHost host = new FakeHost();
    host.given("iptables", RestorePlan.install(RuleRenderer.render(SPEC, Family.IPV4), saved(host)));
    IptablesSpec otherPort = IptablesSpec.dnat("172.17.0.1", 18000)
        .withInterfaces(List.of("docker0", "br-0123456789ab"));
    String batch = RestorePlan.install(RuleRenderer.render(otherPort, Family.IPV4), saved(host));
    assertThat(batch).startsWith("*filter\n:BERTH-INPUT - [0:0]\n").contains("*nat\n").doesNotContain("-I ");
  }

  @Test
  void install_duplicateAndMisplacedJumps_deletedByText_thenOneInsertedFirst() {
    FakeHost host = new FakeHost();
    host.given("iptables", """
        *filter
        :BERTH-INPUT - [0:0]
        -A INPUT -p tcp -m tcp --dport 18000 -j ACCEPT
        -A INPUT -j BERTH-INPUT
        -A INPUT -i eth0 -j BERTH-INPUT
        COMMIT
        """);
    String batch = RestorePlan.install(RuleRenderer.render(SPEC, Family.IPV4), saved(host));
    assertThat(batch).contains("""
        -D INPUT -j BERTH-INPUT
        -D INPUT -i eth0 -j BERTH-INPUT
        -I INPUT 1 -j BERTH-INPUT
        """);
    host.given("iptables", batch);
    assertThat(SavedTable.parse("filter", host.save("iptables", "filter")).rulesOf("INPUT"))
        .containsExactly("-A INPUT -j BERTH-INPUT", "-A INPUT -p tcp -m tcp --dport 18000 -j ACCEPT");
  }

  @Test
  void remove_cleanHost_nothingToDo() {
    assertThat(RestorePlan.remove(saved(new FakeHost()))).isEmpty();
  }

  @Test
  void remove_installed_deletesJumpsThenFlushesAndDeletesChains() {
    FakeHost host = new FakeHost();
    String pristine = host.save("iptables", "filter") + host.save("iptables", "nat");
    host.given("iptables", RestorePlan.install(RuleRenderer.render(SPEC, Family.IPV4), saved(host)));
    String batch = RestorePlan.remove(saved(host));
    assertThat(batch).isEqualTo("""
        *filter
        -D INPUT -j BERTH-INPUT
        :BERTH-INPUT - [0:0]
        -X BERTH-INPUT
        COMMIT
        *nat
        -D PREROUTING -j BERTH-PREROUTING
        :BERTH-PREROUTING - [0:0]
        -X BERTH-PREROUTING
        COMMIT
        """);
    host.given("iptables", batch);
    assertThat(host.save("iptables", "filter") + host.save("iptables", "nat")).isEqualTo(pristine);
  }

  @Test
  void remove_halfMadeChainWithoutJump_deleted() {
    FakeHost host = new FakeHost();
    host.given("iptables", "*nat\n:BERTH-PREROUTING - [0:0]\n-A BERTH-PREROUTING -j RETURN\nCOMMIT\n");
    assertThat(RestorePlan.remove(saved(host))).isEqualTo("*nat\n:BERTH-PREROUTING - [0:0]\n-X BERTH-PREROUTING\nCOMMIT\n");
  }
}
