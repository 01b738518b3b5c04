package dev.berth.iptables.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.iptables.BridgeGuard;
import dev.berth.iptables.Drift;
import dev.berth.iptables.Drift.Change;
import dev.berth.iptables.Drift.Kind;
import dev.berth.iptables.Iptables;
import dev.berth.iptables.IptablesSpec;
import dev.berth.iptables.PortBinding;
import dev.berth.testing.HelpTexts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import reactor.core.publisher.Mono;

/** The command line over a recording fake: parsing, messages and exit codes; no iptables binary runs. */
final class BerthIptablesCommandTest {

  private final List<String> calls = new ArrayList<>();
  private final List<IptablesSpec> specs = new ArrayList<>();
  private final List<String> dockerHosts = new ArrayList<>();
  private Drift drift = Drift.none();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private final Iptables fake = new Iptables() {
    @Override
    public Mono<Void> install(IptablesSpec spec) {
      calls.add("install");
      specs.add(spec);
      return Mono.empty();
    }

    @Override
    public Mono<Void> remove() {
      calls.add("remove");
      return Mono.empty();
    }

    @Override
    public Mono<Drift> check(IptablesSpec spec) {
      calls.add("check");
      specs.add(spec);
      return Mono.just(drift);
    }

    @Override
    public Mono<String> plan(IptablesSpec spec) {
      calls.add("plan");
      return Mono.just("*filter\nCOMMIT\n");
    }

    @Override
    public Mono<String> show() {
      calls.add("show");
      return Mono.just("# ipv4: iptables (nft)\n# no Berth rules\n");
    }

    @Override
    public Mono<Backend> backend() {
      return Mono.just(Backend.NFT);
    }
  };

  /** A guard that records what it was asked and reports {@code guardProblems}. */
  private final List<String> guardCalls = new ArrayList<>();
  private List<String> guardProblems = List.of();
  private final BridgeGuard guard = new BridgeGuard() {
    @Override
    public Mono<Void> install() {
      return Mono.fromRunnable(() -> guardCalls.add("install"));
    }

    @Override
    public Mono<Void> update(Collection<PortBinding> bind, Collection<PortBinding> unbind) {
      return Mono.fromRunnable(() -> guardCalls.add("update"));
    }

    @Override
    public Collection<PortBinding> bindings() {
      return List.of();
    }

    @Override
    public Mono<Void> remove() {
      return Mono.fromRunnable(() -> guardCalls.add("remove"));
    }

    @Override
    public Mono<String> show() {
      return Mono.just("table bridge berth {\n}\n");
    }

    @Override
    public Mono<List<String>> check() {
      return Mono.fromSupplier(() -> guardProblems);
    }
  };

  private Parts parts() {
    return new Parts(builder -> fake, host -> {
      dockerHosts.add(host);
      return Set.of("docker0", "br-0123456789ab");
    }, builder -> guard);
  }

  private int run(String... args) {
    CommandLine line = BerthIptablesCommand.commandLine(parts());
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    return line.execute(args);
  }

  @Test
  void help_noParagraphCutMidSentence_everyCommandListedWithAWholeSentence() {
    assertThat(run("--help")).isZero();

    assertThat(HelpTexts.unfinishedParagraphs(BerthIptablesCommand.commandLine(parts()))).isEmpty();
    assertThat(HelpTexts.commandList(out.toString())).containsKeys("install", "remove", "check", "show")
        .allSatisfy((name, text) -> assertThat(text).as(name).endsWith("."));
  }

  @Test
  void show_printsTheBridgeGuardAfterTheChains() {
    assertThat(run("show")).isZero();
    assertThat(out.toString()).contains("# bridge guard: nft list table bridge berth\ntable bridge berth {");
  }

  @Test
  void remove_removesTheBridgeGuardToo() {
    assertThat(run("remove")).isZero();
    assertThat(guardCalls).containsExactly("remove");
  }

  @Test
  void checkBridgeGuard_reportsItsProblems_andExitsOne() {
    guardProblems = List.of("port veth0 is bound but no longer exists on this host");
    assertThat(run("check", "-i", "docker0", "--proxy-address", "172.17.0.1", "--bridge-guard"))
        .isEqualTo(CheckCommand.DRIFT);
    assertThat(out.toString()).contains("! bridge guard: port veth0 is bound but no longer exists");
    guardProblems = List.of();
    assertThat(run("check", "-i", "docker0", "--proxy-address", "172.17.0.1", "--bridge-guard")).isZero();
  }

  @Test
  void help_listsCommandsAndEnvironmentVariables() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("install", "remove", "check", "show", "BERTH-PREROUTING", "Exit codes");
    out.getBuffer().setLength(0);
    assertThat(run("install", "--help")).isZero();
    assertThat(out.toString()).contains("--interface", "BERTH_IPTABLES_INTERFACES", "--proxy-address", "BERTH_PROXY_PORT",
        "--mode", "--allow-loopback", "--ipv6", "--backend", "--wait", "--netns", "--dry-run");
    assertThat(calls).isEmpty();
  }

  @Test
  void install_interfacesGiven_dockerNotAsked() {
    assertThat(run("install", "--proxy-address", "172.17.0.1", "-i", "docker0", "--interface", "br-a,br-b")).isZero();
    assertThat(specs).singleElement().satisfies(spec -> {
      assertThat(spec.interfaces()).containsExactly("br-a", "br-b", "docker0");
      assertThat(spec.proxyPort()).isEqualTo(18000);
    });
    assertThat(dockerHosts).isEmpty();
    assertThat(out.toString()).startsWith("installed: 169.254.169.254:80 DNAT to 172.17.0.1:18000 from br-a, br-b, docker0");
  }

  @Test
  void install_noInterfaces_takesDockersBridges() {
    assertThat(run("install", "--mode", "REDIRECT", "--docker-host", "unix:///tmp/x.sock", "--proxy-port", "8080")).isZero();
    assertThat(dockerHosts).containsExactly("unix:///tmp/x.sock");
    assertThat(specs.get(0).interfaces()).containsExactly("br-0123456789ab", "docker0");
  }

  @Test
  void install_dryRun_printsThePlan() {
    assertThat(run("install", "--mode", "redirect", "-i", "docker0", "--dry-run")).isZero();
    assertThat(calls).containsExactly("plan");
    assertThat(out.toString()).isEqualTo("*filter\nCOMMIT\n");
  }

  @Test
  void badInput_oneLine_exit2_nothingDone() {
    assertThat(run("install", "--proxy-address", "172.17.0.1", "--proxy-port", "70000", "-i", "docker0")).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("berth-iptables: proxy port 70000 is outside 1..65535" + System.lineSeparator());
    err.getBuffer().setLength(0);
    assertOneLineError(run("install", "--proxy-address", "proxy.local", "-i", "docker0"), "is not an IPv4 or IPv6 address");
    assertOneLineError(run("install", "-i", "docker0"), "--mode dnat needs --proxy-address");
    assertOneLineError(run("install", "--mode", "redirect", "--proxy-address", "172.17.0.1"), "takes no proxy address");
    assertOneLineError(run("install", "--mode", "masquerade"), "--mode");
    assertOneLineError(run("install", "--proxy-port", "http"), "'http' is not an int");
    assertOneLineError(run("check", "--proxy-address", "172.17.0.1", "-i", "eth0 -j ACCEPT"), "is not an interface name");
    assertOneLineError(run("frobnicate"), "Unmatched argument");
    assertOneLineError(run(), "name a command");
    assertThat(calls).isEmpty();
  }

  private void assertOneLineError(int exit, String fragment) {
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).startsWith("berth-iptables: ").contains(fragment);
    assertThat(err.toString().strip()).doesNotContain("\n");
    err.getBuffer().setLength(0);
  }

  @Test
  void check_inSync_exit0() {
    assertThat(run("check", "--proxy-address", "172.17.0.1", "-i", "docker0")).isZero();
    assertThat(out.toString()).startsWith("in sync: ");
  }

  @Test
  void check_drift_exit1_diffOnStdout() {
    drift = new Drift(List.of(new Change("ipv4", "nat", Kind.MISSING, "-A PREROUTING -j BERTH-PREROUTING")));
    assertThat(run("check", "--proxy-address", "172.17.0.1", "-i", "docker0")).isEqualTo(1);
    assertThat(out.toString()).isEqualTo("ipv4 nat:\n+ -A PREROUTING -j BERTH-PREROUTING\n");
    assertThat(err.toString()).contains("1 difference(s)", "run install");
  }

  @Test
  void removeAndShow() {
    assertThat(run("remove")).isZero();
    assertThat(run("show")).isZero();
    assertThat(calls).containsExactly("remove", "show");
    assertThat(out.toString()).contains("removed: no Berth rule remains", "# no Berth rules");
  }

  @Test
  void netns_missing_oneLine() {
    assertOneLineError(run("remove", "--netns", "berth-no-such-namespace"), "does not exist");
  }
}
