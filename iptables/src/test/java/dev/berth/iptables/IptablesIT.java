package dev.berth.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.iptables.Drift.Change;
import dev.berth.iptables.Drift.Kind;
import dev.berth.iptables.Iptables.Backend;
import dev.berth.iptables.IptablesException.Reason;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real iptables (nft and legacy) against a namespace of each test's own: install, idempotence,
 * drift, repair of a half-made chain, removal, conflicts. Nothing here touches the lab's rules or
 * the machine's.
 */
final class IptablesIT {

  private static final IptablesSpec SPEC = IptablesSpec.dnat("198.19.0.1", 18000)
      .withProxyAddress6("fd00:b::1")
      .withInterfaces(List.of("docker0", "br-0123456789ab"))
      .withIpv6(IptablesSpec.Ipv6.ON);

  private static String both(PrivateNamespace ns, Backend backend) {
    return ns.save(backend, Family.IPV4) + ns.save(backend, Family.IPV6);
  }

  @ParameterizedTest
  @EnumSource(value = Backend.class, names = {"NFT", "LEGACY"})
  void install_freshNamespace_exactlyTheRenderedRules(Backend backend) {
    try (PrivateNamespace ns = PrivateNamespace.create("docker0", "br-0123456789ab")) {
      Iptables iptables = ns.iptables(backend);
      iptables.install(SPEC).block(Duration.ofSeconds(60));
      String v4 = ns.save(backend, Family.IPV4);
      assertThat(v4).contains(
          ":BERTH-INPUT - [0:0]\n-A INPUT -j BERTH-INPUT\n"
              + "-A BERTH-INPUT -i br-0123456789ab -p tcp -m tcp --dport 18000 -j RETURN\n"
              + "-A BERTH-INPUT -i docker0 -p tcp -m tcp --dport 18000 -j RETURN\n"
              + "-A BERTH-INPUT -p tcp -m tcp --dport 18000 -j DROP\n",
          "-A PREROUTING -j BERTH-PREROUTING\n"
              + "-A BERTH-PREROUTING -d 169.254.169.254/32 -i br-0123456789ab -p tcp -m tcp --dport 80 -j DNAT --to-destination 198.19.0.1:18000\n"
              + "-A BERTH-PREROUTING -d 169.254.169.254/32 -i docker0 -p tcp -m tcp --dport 80 -j DNAT --to-destination 198.19.0.1:18000\n");
      assertThat(ns.save(backend, Family.IPV6)).contains(
          "-A BERTH-PREROUTING -d fd00:ec2::254/128 -i docker0 -p tcp -m tcp --dport 80 -j DNAT --to-destination [fd00:b::1]:18000");
      assertThat(iptables.check(SPEC).block().changes()).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Backend.class, names = {"NFT", "LEGACY"})
  void perSourceLimits_readBackExactlyAsRendered(Backend backend) {
    IptablesSpec limited = SPEC.withPerSourceLimits(256, 4000);
    try (PrivateNamespace ns = PrivateNamespace.create("docker0", "br-0123456789ab")) {
      Iptables iptables = ns.iptables(backend);
      iptables.install(limited).block(Duration.ofSeconds(60));
      assertThat(ns.save(backend, Family.IPV4)).contains("-A BERTH-INPUT -i docker0 -p tcp -m tcp --dport 18000 "
          + "-m hashlimit --hashlimit-above 4000/sec --hashlimit-burst 8000 --hashlimit-mode srcip --hashlimit-name berth -j DROP\n");
      assertThat(iptables.check(limited).block().changes()).isEmpty();
      assertThat(iptables.check(SPEC).block().changes()).isNotEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Backend.class, names = {"NFT", "LEGACY"})
  void install_twice_sameRules(Backend backend) {
    try (PrivateNamespace ns = PrivateNamespace.create("docker0", "br-0123456789ab")) {
      Iptables iptables = ns.iptables(backend);
      iptables.install(SPEC).block();
      String once = both(ns, backend);
      iptables.install(SPEC).block();
      ns.iptables(backend).install(SPEC).block();
      assertThat(both(ns, backend)).isEqualTo(once);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Backend.class, names = {"NFT", "LEGACY"})
  void check_tampered_reportsDrift_thenInstallRepairs(Backend backend) {
    try (PrivateNamespace ns = PrivateNamespace.create("docker0", "br-0123456789ab")) {
      Iptables iptables = ns.iptables(backend);
      iptables.install(SPEC).block();
      String iptablesBinary = "iptables-" + backend.name().toLowerCase(java.util.Locale.ROOT);
      ns.run(iptablesBinary, "-t", "nat", "-D", "BERTH-PREROUTING", "-d", "169.254.169.254/32", "-i", "docker0",
          "-p", "tcp", "-m", "tcp", "--dport", "80", "-j", "DNAT", "--to-destination", "198.19.0.1:18000");
      ns.run(iptablesBinary, "-t", "nat", "-A", "BERTH-PREROUTING", "-j", "RETURN");
      ns.run(iptablesBinary, "-t", "filter", "-I", "INPUT", "1", "-p", "tcp", "--dport", "18000", "-j", "ACCEPT");

      Drift drift = iptables.check(SPEC).block();
      assertThat(drift.changes()).extracting(Change::kind)
          .containsExactlyInAnyOrder(Kind.MISPLACED, Kind.MISSING, Kind.UNEXPECTED);
      assertThat(drift.describe()).contains(
          "ipv4 nat:\n"
              + "- -A BERTH-PREROUTING -j RETURN\n"
              + "+ -A BERTH-PREROUTING -d 169.254.169.254/32 -i docker0 -p tcp -m tcp --dport 80 -j DNAT --to-destination 198.19.0.1:18000\n",
          "~ -A INPUT -j BERTH-INPUT   (rule 2 of INPUT; it must be rule 1)");

      iptables.install(SPEC).block();
      assertThat(iptables.check(SPEC).block().inSync()).isTrue();
      assertThat(ns.run(iptablesBinary + "-save", "-t", "filter")).contains(
          "-A INPUT -j BERTH-INPUT\n-A INPUT -p tcp -m tcp --dport 18000 -j ACCEPT\n");
    }
  }

  @ParameterizedTest
  @EnumSource(value = Backend.class, names = {"NFT", "LEGACY"})
  void install_halfMadeChains_repaired(Backend backend) {
    try (PrivateNamespace ns = PrivateNamespace.create("docker0", "br-0123456789ab")) {
      String iptablesBinary = "iptables-" + backend.name().toLowerCase(java.util.Locale.ROOT);
      // What a crash between two commands of a hand-written script leaves: chains without jumps, or
      // a jump twice, with stray rules.
      ns.run(iptablesBinary, "-t", "nat", "-N", "BERTH-PREROUTING");
      ns.run(iptablesBinary, "-t", "nat", "-A", "BERTH-PREROUTING", "-p", "udp", "-j", "RETURN");
      ns.run(iptablesBinary, "-t", "filter", "-N", "BERTH-INPUT");
      ns.run(iptablesBinary, "-t", "filter", "-A", "INPUT", "-j", "BERTH-INPUT");
      ns.run(iptablesBinary, "-t", "filter", "-A", "INPUT", "-i", "eth0", "-j", "BERTH-INPUT");
      Iptables iptables = ns.iptables(backend);
      assertThat(iptables.check(SPEC).block().inSync()).isFalse();

      iptables.install(SPEC).block();
      assertThat(iptables.check(SPEC).block().inSync()).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Backend.class, names = {"NFT", "LEGACY"})
  void remove_leavesExactlyWhatWasThere_andTwiceIsANoOp(Backend backend) {
    try (PrivateNamespace ns = PrivateNamespace.create("docker0", "br-0123456789ab")) {
      String iptablesBinary = "iptables-" + backend.name().toLowerCase(java.util.Locale.ROOT);
      ns.run(iptablesBinary, "-t", "nat", "-A", "POSTROUTING", "-s", "198.19.0.0/24", "!", "-o", "docker0", "-j", "MASQUERADE");
      String before = both(ns, backend);
      Iptables iptables = ns.iptables(backend);
      iptables.remove().block();
      assertThat(both(ns, backend)).isEqualTo(before);
      iptables.install(SPEC).block();
      iptables.remove().block();
      iptables.remove().block();
      assertThat(both(ns, backend)).isEqualTo(before).doesNotContain("BERTH");
    }
  }

  @ParameterizedTest
  @EnumSource(value = Backend.class, names = {"NFT", "LEGACY"})
  void install_conflictingRule_refused_nothingChanged(Backend backend) {
    try (PrivateNamespace ns = PrivateNamespace.create("docker0", "br-0123456789ab")) {
      String iptablesBinary = "iptables-" + backend.name().toLowerCase(java.util.Locale.ROOT);
      ns.run(iptablesBinary, "-t", "nat", "-A", "PREROUTING", "-d", "169.254.169.254/32", "-i", "docker0", "-p", "tcp",
          "--dport", "80", "-j", "DNAT", "--to-destination", "198.19.0.1:8181");
      String before = both(ns, backend);
      assertThatThrownBy(() -> ns.iptables(backend).install(SPEC).block())
          .isInstanceOfSatisfying(IptablesException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CONFLICT))
          .hasMessageContaining("iptables -t nat -D PREROUTING -d 169.254.169.254/32 -i docker0 -p tcp -m tcp --dport 80 "
              + "-j DNAT --to-destination 198.19.0.1:8181");
      assertThat(both(ns, backend)).isEqualTo(before);
    }
  }

  @Test
  void install_unknownInterface_refused() {
    try (PrivateNamespace ns = PrivateNamespace.create("docker0")) {
      assertThatThrownBy(() -> ns.iptables(Backend.NFT).install(SPEC).block())
          .isInstanceOfSatisfying(IptablesException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_INTERFACE))
          .hasMessage("unknown interface 'br-0123456789ab': this host has docker0, lo; give a bridge such as docker0");
      assertThat(ns.save(Backend.NFT, Family.IPV4)).doesNotContain("BERTH");
    }
  }

  @Test
  void auto_detectsTheHostsBackend_andWritesThere() {
    try (PrivateNamespace ns = PrivateNamespace.create("docker0", "br-0123456789ab")) {
      String version = ns.run("iptables", "--version");
      Backend expected = version.contains("nf_tables") ? Backend.NFT : Backend.LEGACY;
      Backend other = expected == Backend.NFT ? Backend.LEGACY : Backend.NFT;
      Iptables iptables = ns.iptables(Backend.AUTO);
      assertThat(iptables.backend().block()).isEqualTo(expected);
      iptables.install(SPEC).block();
      assertThat(ns.save(expected, Family.IPV4)).contains("BERTH-PREROUTING");
      assertThat(ns.save(other, Family.IPV4)).doesNotContain("BERTH");
      assertThat(iptables.show().block()).contains("# ipv4: iptables (" + expected.name().toLowerCase(java.util.Locale.ROOT)
          + ")\n*filter\n:BERTH-INPUT - [0:0]\n-A INPUT -j BERTH-INPUT\n");
      iptables.remove().block();
    }
  }

  @Test
  void notRoot_oneLineSayingHowToRun() {
    try (PrivateNamespace ns = PrivateNamespace.create("docker0", "br-0123456789ab")) {
      Iptables asNobody = Iptables.builder().backend(Backend.NFT).runner(new ProcessCommandRunner(List.of("nsenter",
          "--net=" + ns.path, "--", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"),
          Duration.ofSeconds(30))).build();
      assertThatThrownBy(() -> asNobody.install(SPEC).block())
          .isInstanceOfSatisfying(IptablesException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PERMISSION_DENIED))
          .hasMessageContaining("run as root")
          .hasMessageNotContaining("\n");
    }
  }
}
