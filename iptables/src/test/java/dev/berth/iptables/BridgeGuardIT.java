package dev.berth.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import com.github.dockerjava.api.model.Network;
import dev.berth.testing.DockerLab;
import dev.berth.testing.DockerLab.ContainerSpec;
import dev.berth.testing.DockerLab.RunningContainer;
import dev.berth.testing.Spoofer;
import dev.berth.testing.Spoofer.Mode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The bridge guard against the attack it exists for, in the lab's real Docker engine: an attacker
 * container with Docker's default capabilities forges the victim's address (ARP poisoning, then
 * the victim's own MAC) and completes a raw TCP handshake to a server on the bridge gateway that
 * answers with the caller's address. Without the guard the server answers the attacker as the
 * victim; with it nothing comes back, and the victim keeps being answered as itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class BridgeGuardIT {

  private static final int PORT = 18_470;

  private DockerLab lab;
  private HttpServer server;
  private RunningContainer victim;
  private RunningContainer attacker;
  private Spoofer spoofer;
  private final BridgeGuard guard = BridgeGuard.system();
  private final ContainerPorts ports = ContainerPorts.system();

  @BeforeAll
  void start() throws IOException {
    PrivateNamespace.requireInsideLab();
    lab = DockerLab.connect();
    server = echoServer(new InetSocketAddress(lab.bridgeGateway(), PORT));
    victim = lab.start(ContainerSpec.named("guard-victim").withHostRoot());
    attacker = lab.start(ContainerSpec.named("guard-attacker").withHostRoot());
    spoofer = Spoofer.of(lab);
  }

  @BeforeEach
  void forgetNeighbours() {
    // Each test starts from the host's own view: no entry poisoned by an earlier test's attack.
    PrivateNamespace.host("ip", "neigh", "flush", "dev", "docker0");
  }

  /** A server that answers every request with the caller's address as it saw it. */
  private static HttpServer echoServer(InetSocketAddress at) throws IOException {
    HttpServer echo = HttpServer.create(at, 16);
    echo.createContext("/", exchange -> {
      String caller = Addresses.format(exchange.getRemoteAddress().getAddress());
      byte[] body = ("caller " + caller).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    echo.start();
    return echo;
  }

  @AfterEach
  void removeGuard() {
    guard.remove().block(Duration.ofSeconds(30));
  }

  @AfterAll
  void stop() {
    server.stop(0);
    lab.close();
  }

  @Test
  void withoutTheGuard_theAttackWorks() {
    // Proves the attack is real, so that the guarded tests' silence means something.
    assertThat(attack(Mode.ARP)).contains("caller " + victim.ipAddress());
  }

  @Test
  void arpPoisoning_getsNothing_andTheVictimIsStillServed() {
    bindBoth();
    assertThat(attack(Mode.ARP)).isEqualTo(Spoofer.NO_ANSWER);
    assertThat(neighbour(victim.ipAddress())).contains(macOf(victim));
    assertThat(fetchFrom(victim)).isEqualTo("caller " + victim.ipAddress());
  }

  @Test
  void forgedMac_getsNothing_andTheVictimIsStillServed() {
    bindBoth();
    assertThat(attack(Mode.MAC)).isEqualTo(Spoofer.NO_ANSWER);
    assertThat(fetchFrom(victim)).isEqualTo("caller " + victim.ipAddress());
  }

  @Test
  void unboundAttacker_cannotClaimABoundAddress() {
    guard.install().block(Duration.ofSeconds(30));
    guard.update(List.of(binding(victim)), List.of()).block(Duration.ofSeconds(30));
    assertThat(attack(Mode.ARP)).isEqualTo(Spoofer.NO_ANSWER);
    assertThat(attack(Mode.MAC)).isEqualTo(Spoofer.NO_ANSWER);
  }

  @Test
  void show_listsTheBindings_andRemoveLeavesNothing() {
    bindBoth();
    String shown = guard.show().block(Duration.ofSeconds(30));
    assertThat(shown).contains("table bridge berth", binding(victim).port(), macOf(victim), victim.ipAddress());
    guard.remove().block(Duration.ofSeconds(30));
    assertThat(guard.show().block(Duration.ofSeconds(30))).startsWith("# no Berth bridge guard");
    // Removing twice is fine.
    guard.remove().block(Duration.ofSeconds(30));
  }

  @Test
  void unbinding_freesTheAddressForItsNextHolder() {
    bindBoth();
    guard.update(List.of(), List.of(binding(victim))).block(Duration.ofSeconds(30));
    assertThat(guard.bindings()).extracting(PortBinding::port).containsExactly(binding(attacker).port());
    assertThat(guard.show().block(Duration.ofSeconds(30))).doesNotContain(binding(victim).port());
  }

  @Test
  void tableDeletedBehindItsBack_isRewrittenWhole() {
    bindBoth();
    PrivateNamespace.host("nft", "delete", "table", "bridge", "berth");
    guard.update(List.of(), List.of(binding(attacker))).block(Duration.ofSeconds(30));
    assertThat(guard.show().block(Duration.ofSeconds(30))).contains(binding(victim).port())
        .doesNotContain(binding(attacker).port());
    assertThat(attack(Mode.ARP)).isEqualTo(Spoofer.NO_ANSWER);
  }

  @Test
  void ipv6NeighbourSpoofing_worksWithoutTheGuard_andGetsNothingWithIt() throws IOException {
    var created = lab.client().createNetworkCmd().withName("berth-guard-v6").withDriver("bridge").withEnableIpv6(true)
        .withIpam(new Network.Ipam().withConfig(new Network.Ipam.Config().withSubnet("198.18.6.0/24"),
            new Network.Ipam.Config().withSubnet("fd00:b6::/64")))
        .exec();
    String bridge = "br-" + created.getId().substring(0, 12);
    // On every address: the bridge's own stays tentative (duplicate address detection) until a port joins it.
    int port6 = PORT + 1;
    HttpServer server6 = null;
    try {
      server6 = echoServer(new InetSocketAddress("::", port6));
      RunningContainer victim6 = lab.start(ContainerSpec.named("guard-victim6").withNetwork("berth-guard-v6").withHostRoot());
      RunningContainer attacker6 = lab.start(ContainerSpec.named("guard-attacker6").withNetwork("berth-guard-v6")
          .withHostRoot());
      String victimIp = lab.inspect(victim6).getNetworkSettings().getNetworks().get("berth-guard-v6").getGlobalIPv6Address();
      String victimMac = lab.inspect(victim6).getNetworkSettings().getNetworks().get("berth-guard-v6").getMacAddress();
      String url = "http://[fd00:b6::1]:" + port6 + "/";

      assertThat(fetchFrom(victim6, url)).isEqualTo("caller " + victimIp);
      assertThat(spoofer.attack(attacker6, Mode.ND, victimIp, victimMac, "fd00:b6::1", macOf(bridge), port6, "/"))
          .as("without the guard").contains("caller " + victimIp);

      guard.install().block(Duration.ofSeconds(30));
      guard.update(List.of(binding(victim6, "berth-guard-v6", bridge, victimIp),
          binding(attacker6, "berth-guard-v6", bridge, null)), List.of()).block(Duration.ofSeconds(30));
      assertThat(fetchFrom(victim6, url)).isEqualTo("caller " + victimIp);
      assertThat(spoofer.attack(attacker6, Mode.ND, victimIp, victimMac, "fd00:b6::1", macOf(bridge), port6, "/"))
          .as("with the guard").isEqualTo(Spoofer.NO_ANSWER);
      assertThat(fetchFrom(victim6, url)).isEqualTo("caller " + victimIp);
      assertThat(PrivateNamespace.host("ip", "-6", "neigh", "show", victimIp)).contains(victimMac);
      lab.remove(victim6);
      lab.remove(attacker6);
    } finally {
      if (server6 != null) {
        server6.stop(0);
      }
      lab.client().removeNetworkCmd(created.getId()).exec();
    }
  }

  private void bindBoth() {
    guard.install().block(Duration.ofSeconds(30));
    guard.update(List.of(binding(victim), binding(attacker)), List.of()).block(Duration.ofSeconds(30));
  }

  private String attack(Mode mode) {
    // As on a real host, the victim has talked to the server lately: the host holds its neighbour entry.
    assertThat(fetchFrom(victim)).isEqualTo("caller " + victim.ipAddress());
    return spoofer.attack(attacker, mode, victim.ipAddress(), macOf(victim), lab.bridgeGateway(), gatewayMac(), PORT, "/");
  }

  private String fetchFrom(RunningContainer container) {
    return fetchFrom(container, "http://" + lab.bridgeGateway() + ":" + PORT + "/");
  }

  private String fetchFrom(RunningContainer container, String url) {
    var result = lab.exec(container, "chroot", DockerLab.HOST_ROOT, "/usr/bin/curl", "-s", "-g", "--max-time", "5", url);
    assertThat(result.succeeded()).as("curl from %s: %s; neighbours: %s; guard: %s", container.name(), result.stderr(),
        PrivateNamespace.host("ip", "neigh"), guard.show().block(Duration.ofSeconds(30))).isTrue();
    return result.stdout();
  }

  private PortBinding binding(RunningContainer container) {
    var inspected = lab.inspect(container);
    ContainerPorts.Port port = ports.find(inspected.getState().getPidLong()).get(macOf(container));
    assertThat(port).as("the host port of %s", container.name()).isNotNull();
    assertThat(port.bridge()).isEqualTo("docker0");
    return PortBinding.of(port.name(), macOf(container), List.of(address(container.ipAddress())));
  }

  /** The binding of {@code container}'s port on {@code network} (a bridge {@code bridge}), with its IPv4 and IPv6 address. */
  private PortBinding binding(RunningContainer container, String network, String bridge, String ipv6) {
    var attached = lab.inspect(container).getNetworkSettings().getNetworks().get(network);
    ContainerPorts.Port port = ports.find(lab.inspect(container).getState().getPidLong()).get(attached.getMacAddress());
    assertThat(port.bridge()).isEqualTo(bridge);
    List<InetAddress> addresses = new java.util.ArrayList<>(List.of(address(attached.getIpAddress())));
    addresses.add(address(ipv6 != null ? ipv6 : attached.getGlobalIPv6Address()));
    return PortBinding.of(port.name(), attached.getMacAddress(), addresses);
  }

  private String macOf(RunningContainer container) {
    return lab.inspect(container).getNetworkSettings().getNetworks().get("bridge").getMacAddress();
  }

  private static String gatewayMac() {
    return macOf("docker0");
  }

  private static String macOf(String bridge) {
    String line = PrivateNamespace.host("ip", "-o", "link", "show", bridge);
    return line.replaceAll("(?s).*link/ether (\\S+).*", "$1").strip();
  }

  private static String neighbour(String ip) {
    return PrivateNamespace.host("ip", "neigh", "show", ip);
  }

  private static InetAddress address(String literal) {
    return Addresses.parse("address", literal);
  }
}
