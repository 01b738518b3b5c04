package dev.berth.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.iptables.Iptables;
import dev.berth.testing.LabClients;
import dev.berth.testing.DockerLab;
import dev.berth.testing.DockerLab.ContainerSpec;
import dev.berth.testing.DockerLab.LabNetwork;
import dev.berth.testing.DockerLab.RunningContainer;
import dev.berth.testing.LabDaemon;
import dev.berth.testing.Spoofer;
import dev.berth.testing.Spoofer.Mode;
import dev.berth.testing.StsEmulator;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 12's attack against the packaged daemon ({@code berth-proxy --iptables}, inside the lab's
 * namespace): an attacker container with Docker's default capabilities forges a victim's address
 * on the bridge (ARP poisoning; the victim's own MAC) and completes a raw TCP handshake to the
 * proxy to ask for the victim's credentials. With {@code --no-bridge-guard} it gets them, which
 * proves the attack; with the guard (the default) it gets nothing and the victim keeps being
 * served. Also: an address reused by a new container, a new bridge network.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class BridgeGuardDaemonIT {

  private static final Path JAR = Path.of("target/berth-proxy.jar").toAbsolutePath();
  private static final String BASE = "arn:aws:iam::" + StsEmulator.DEFAULT_ACCOUNT_ID + ":role/";
  private static final String CREDS = "/latest/meta-data/iam/security-credentials/";
  private static final String METADATA = "http://169.254.169.254" + CREDS;
  private static final int PORT = 18_480;

  private DockerLab lab;
  private StsEmulator sts;
  private LabClients clients;
  private Spoofer spoofer;
  private RunningContainer victim;
  private RunningContainer attacker;
  private LabDaemon daemon;

  @BeforeAll
  void start() {
    lab = DockerLab.connect();
    LabClients.requireInsideLab(lab);
    sts = StsEmulator.start();
    clients = new LabClients(lab, sts);
    spoofer = Spoofer.of(lab);
    victim = lab.start(ContainerSpec.named("guard-victim").withEnv("IAM_ROLE", "victim-role").withHostRoot());
    attacker = lab.start(ContainerSpec.named("guard-attacker").withEnv("IAM_ROLE", "attacker-role").withHostRoot());
  }

  @AfterEach
  void stopDaemonAndRules() throws InterruptedException {
    if (daemon != null) {
      daemon.close();
    }
    Iptables.system().remove().block(java.time.Duration.ofSeconds(30));
    LabClients.exec("nft", "delete", "table", "bridge", "berth");
    LabClients.exec("ip", "neigh", "flush", "dev", "docker0");
  }

  @AfterAll
  void stop() {
    lab.close();
    sts.close();
  }

  @Test
  void withoutTheGuard_aNeighbourTakesTheVictimsRole() {
    startDaemon("--no-bridge-guard");
    String stolen = attack(Mode.ARP);
    assertThat(stolen).startsWith("HTTP/1.1 200");
    assertThat(clients.roleOfDocument(stolen)).isEqualTo(BASE + "victim-role");
  }

  @Test
  void arpPoisoning_getsNothing_andTheVictimKeepsItsRole() {
    startDaemon();
    assertThat(attack(Mode.ARP)).isEqualTo(Spoofer.NO_ANSWER);
    assertOwnRole(victim, "victim-role");
    assertThat(LabClients.run("ip", "neigh", "show", victim.ipAddress())).contains(macOf(victim, "bridge"));
  }

  @Test
  void forgedMac_getsNothing_andTheVictimKeepsItsRole() {
    startDaemon();
    assertThat(attack(Mode.MAC)).isEqualTo(Spoofer.NO_ANSWER);
    assertOwnRole(victim, "victim-role");
    assertOwnRole(attacker, "attacker-role");
  }

  @Test
  void aContainerRestartedOntoAReusedAddress_getsItsOwnRole() {
    startDaemon();
    RunningContainer first = lab.start(ContainerSpec.named("guard-first").withEnv("IAM_ROLE", "first-role").withHostRoot());
    assertOwnRole(first, "first-role");
    String address = first.ipAddress();
    lab.remove(first);
    RunningContainer second = lab.start(ContainerSpec.named("guard-second").withEnv("IAM_ROLE", "second-role").withHostRoot());
    try {
      assertThat(second.ipAddress()).as("Docker hands the freed address to the next container").isEqualTo(address);
      assertOwnRole(second, "second-role");
    } finally {
      lab.remove(second);
    }
  }

  @Test
  void aContainerOnANewBridgeNetwork_isBoundAndServed() {
    startDaemon();
    LabNetwork network = lab.createNetwork("berth-guard-net");
    try {
      RunningContainer other = lab.start(ContainerSpec.named("guard-other-net").withNetwork(network.name())
          .withEnv("IAM_ROLE", "other-role").withHostRoot());
      assertOwnRole(other, "other-role");
      assertThat(shownGuard()).contains(other.ipAddress(network.name()), macOf(other, network.name()));
      lab.remove(other);
    } finally {
      lab.removeNetwork(network);
    }
  }

  @Test
  void cleanStop_removesTheGuardWithTheRules() {
    startDaemon();
    assertThat(shownGuard()).contains("table bridge berth");
    assertThat(daemon.stop()).isTrue();
    assertThat(LabClients.exec("nft", "list", "table", "bridge", "berth").succeeded()).isFalse();
  }

  private void assertOwnRole(RunningContainer container, String role) {
    LabClients.Seen seen = clients.curl(container, METADATA + role);
    assertThat(seen.status()).as("%s asking for %s: %s", container.name(), role, seen.body()).isEqualTo(200);
    assertThat(clients.roleOfDocument(seen.body())).isEqualTo(BASE + role);
  }

  private String attack(Mode mode) {
    // As on a real host, the victim has used the proxy lately, so the host holds its neighbour entry.
    assertOwnRole(victim, "victim-role");
    return spoofer.attack(attacker, mode, victim.ipAddress(), macOf(victim, "bridge"), lab.bridgeGateway(),
        gatewayMac(), PORT, CREDS + "victim-role");
  }

  private String macOf(RunningContainer container, String network) {
    return lab.inspect(container).getNetworkSettings().getNetworks().get(network).getMacAddress();
  }

  private static String gatewayMac() {
    return LabClients.run("ip", "-o", "link", "show", "docker0").replaceAll("(?s).*link/ether (\\S+).*", "$1").strip();
  }

  private static String shownGuard() {
    return LabClients.run("nft", "list", "table", "bridge", "berth");
  }

  private void startDaemon(String... extra) {
    daemon = LabDaemon.start(JAR, lab, sts, PORT, extra);
  }

}
