package dev.berth.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.iptables.CommandRunner.Result;
import dev.berth.iptables.Drift.Kind;
import dev.berth.iptables.Iptables.Backend;
import dev.berth.iptables.IptablesException.Reason;
import dev.berth.iptables.IptablesSpec.Ipv6;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The applier over {@link FakeHost}: every flow of install, check, remove and show, without a binary. */
final class SystemIptablesTest {

  private static final IptablesSpec SPEC = IptablesSpec.dnat("172.17.0.1", 18000)
      .withInterfaces(List.of("docker0", "br-0123456789ab"));

  private final FakeHost host = new FakeHost();
  private final Iptables iptables = Iptables.builder().runner(host).build();

  private String everything() {
    StringBuilder all = new StringBuilder();
    for (String family : List.of("iptables", "ip6tables")) {
      all.append(host.save(family, "filter")).append(host.save(family, "nat"));
    }
    return all.toString();
  }

  @Test
  void install_cleanHost_bothFamilies_oneBatchEach_thenInSync() {
    iptables.install(SPEC).block();
    assertThat(host.restores()).containsExactly("iptables-restore", "ip6tables-restore");
    assertThat(host.commands).contains(List.of("iptables-restore", "-w", "10", "--noflush"));
    assertThat(iptables.check(SPEC).block().inSync()).isTrue();
    assertThat(host.save("iptables", "nat")).contains(
        "-A BERTH-PREROUTING -d 169.254.169.254/32 -i docker0 -p tcp -m tcp --dport 80 -j DNAT --to-destination 172.17.0.1:18000");
  }

  @Test
  void install_twice_sameRules_secondWritesNothing() {
    iptables.install(SPEC).block();
    String once = everything();
    iptables.install(SPEC).block();
    assertThat(everything()).isEqualTo(once);
    assertThat(host.restores()).hasSize(2);
  }

  @Test
  void install_halfMadeChain_repaired() {
    host.given("iptables", "*nat\n:BERTH-PREROUTING - [0:0]\n-A BERTH-PREROUTING -j RETURN\nCOMMIT\n"
        + "*filter\n:BERTH-INPUT - [0:0]\n-A INPUT -j BERTH-INPUT\n-A INPUT -j BERTH-INPUT\nCOMMIT\n");
    iptables.install(SPEC).block();
    assertThat(iptables.check(SPEC).block().changes()).isEmpty();
  }

  @Test
  void install_conflictingRule_refusedBeforeAnyChange_withTheCommandThatRemovesIt() {
    host.given("ip6tables", "*nat\n-A PREROUTING -d fd00:ec2::254/128 -p tcp -j REDIRECT --to-ports 8181\nCOMMIT\n");
    String before = everything();
    StepVerifier.create(iptables.install(SPEC))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(IptablesException.class, x -> {
          assertThat(x.reason()).isEqualTo(Reason.CONFLICT);
          assertThat(x.getMessage()).contains(
              "remove it (ip6tables -t nat -D PREROUTING -d fd00:ec2::254/128 -p tcp -j REDIRECT --to-ports 8181)");
        }))
        .verify();
    assertThat(everything()).isEqualTo(before);
    assertThat(iptables.check(SPEC).block().hasConflicts()).isTrue();
  }

  @Test
  void install_unknownInterface_namesItAndWhatExists() {
    assertThatThrownBy(() -> iptables.install(SPEC.withInterfaces(List.of("docker0", "eth9"))).block())
        .isInstanceOfSatisfying(IptablesException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_INTERFACE))
        .hasMessage("unknown interface 'eth9': this host has br-0123456789ab, docker0, lo; give a bridge such as docker0");
    assertThat(host.restores()).isEmpty();
  }

  @Test
  void install_hostWithoutIpv6_ipv4Only() {
    host.ipv6 = false;
    iptables.install(SPEC).block();
    assertThat(host.restores()).containsExactly("iptables-restore");
  }

  @Test
  void install_ipv6Off_leavesIp6tablesAlone() {
    iptables.install(SPEC.withIpv6(Ipv6.OFF)).block();
    assertThat(host.commands).noneMatch(c -> c.get(0).startsWith("ip6tables"));
  }

  @Test
  void install_explicitBackend_usesItsBinaries_withoutAskingForTheVersion() {
    Iptables legacy = Iptables.builder().runner(host).backend(Backend.LEGACY).lockWait(Duration.ofSeconds(3)).build();
    legacy.install(SPEC).block();
    assertThat(host.commands).contains(List.of("iptables-legacy-save", "-t", "filter"),
        List.of("ip6tables-legacy-restore", "-w", "3", "--noflush"));
    assertThat(host.commands).noneMatch(c -> c.contains("--version"));
  }

  @Test
  void backend_auto_detectedOnce() {
    host.version = "iptables v1.8.7 (legacy)";
    assertThat(iptables.backend().block()).isEqualTo(Backend.LEGACY);
    iptables.backend().block();
    assertThat(host.commands.stream().filter(c -> c.contains("--version"))).hasSize(1);
  }

  @Test
  void missingIptables_oneLineSayingWhatToInstall() {
    host.failure = argv -> new Result(127, "", "nsenter: failed to execute " + argv.get(0) + ": No such file or directory");
    assertThatThrownBy(() -> iptables.install(SPEC).block())
        .hasMessage("iptables not found: install iptables (Debian/Ubuntu: apt-get install iptables; Fedora/RHEL: "
            + "dnf install iptables-nft; Alpine: apk add iptables)");
  }

  @Test
  void notRoot_oneLineSayingHowToRun() {
    host.failure = argv -> argv.get(0).endsWith("-restore")
        ? new Result(4, "", "iptables-nft-restore v1.8.9 (nf_tables): Could not fetch rule set generation id: "
            + "Permission denied (you must be root)\n")
        : null;
    assertThatThrownBy(() -> iptables.install(SPEC).block())
        .isInstanceOfSatisfying(IptablesException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PERMISSION_DENIED))
        .hasMessageContaining("run as root");
  }

  @Test
  void remove_cleanHost_noOpSuccess() {
    iptables.remove().block();
    assertThat(host.restores()).isEmpty();
  }

  @Test
  void remove_afterInstall_leavesExactlyWhatWasThere() {
    host.given("iptables", "*nat\n:DOCKER - [0:0]\n-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER\nCOMMIT\n");
    String before = everything();
    iptables.install(SPEC).block();
    iptables.remove().block();
    assertThat(everything()).isEqualTo(before);
    assertThat(iptables.show().block()).contains("# ipv4: iptables (nft)\n# no Berth rules\n");
  }

  @Test
  void check_driftAfterTampering_readable() {
    iptables.install(SPEC).block();
    host.given("iptables", "*filter\n-D BERTH-INPUT -i docker0 -p tcp -m tcp --dport 18000 -j RETURN\nCOMMIT\n");
    Drift drift = iptables.check(SPEC).block();
    assertThat(drift.changes()).singleElement().satisfies(c -> assertThat(c.kind()).isEqualTo(Kind.MISSING));
    assertThat(drift.describe()).isEqualTo(
        "ipv4 filter:\n+ -A BERTH-INPUT -i docker0 -p tcp -m tcp --dport 18000 -j RETURN\n");
  }

  @Test
  void plan_changesNothing_showsTheBatch() {
    String plan = iptables.plan(SPEC).block();
    assertThat(plan).startsWith("# ipv4: iptables-restore -w 10 --noflush\n*filter\n:BERTH-INPUT - [0:0]\n");
    assertThat(host.restores()).isEmpty();
    iptables.install(SPEC).block();
    assertThat(iptables.plan(SPEC).block()).contains("# nothing to change");
  }

  @Test
  void show_installed_iptablesSaveFormat() {
    iptables.install(SPEC).block();
    assertThat(iptables.show().block()).contains("""
        *filter
        :BERTH-INPUT - [0:0]
        -A INPUT -j BERTH-INPUT
        -A BERTH-INPUT -i br-0123456789ab -p tcp -m tcp --dport 18000 -j RETURN
        """);
  }

  @Test
  void install_cancelledWhileWaitingForItsTurn_neverRuns_soRemoveIsFinal() throws InterruptedException {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    host.failure = argv -> {
      if (argv.contains("--version") && inside.getCount() > 0) {
        inside.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return null;
    };
    Disposable first = iptables.install(SPEC).subscribe();
    assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
    Disposable queued = iptables.install(SPEC.withLoopbackAllowed(true)).subscribe();
    Thread.sleep(100); // let the queued install reach the lock
    queued.dispose();
    release.countDown();
    iptables.remove().block(Duration.ofSeconds(10));
    assertThat(iptables.show().block()).doesNotContain("BERTH");
    assertThat(host.batches).noneMatch(batch -> batch.contains("-i lo"));
    first.dispose();
  }

  @Test
  void everyOperation_subscribedFromANonBlockingThread_runsTheBinariesOffIt() {
    // BlockHound (installed for every test by berth-testing) fails a blocking call on a parallel thread.
    Mono<Drift> all = iptables.install(SPEC).then(iptables.check(SPEC)).flatMap(d -> iptables.remove().thenReturn(d));
    StepVerifier.create(all.subscribeOn(Schedulers.parallel()))
        .assertNext(drift -> assertThat(drift.inSync()).isTrue())
        .verifyComplete();
  }
}
