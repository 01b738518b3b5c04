package dev.berth.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.iptables.Iptables;
import dev.berth.testing.LabClients;
import dev.berth.testing.DockerLab;
import dev.berth.testing.DockerLab.ContainerSpec;
import dev.berth.testing.DockerLab.RunningContainer;
import dev.berth.testing.LabDaemon;
import dev.berth.testing.StsEmulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code berth-proxy --iptables}, the packaged daemon as a host runs it (inside the lab's namespace):
 * it installs the rules once it listens, a container asking the plain 169.254.169.254 gets its own
 * role, a clean stop (SIGTERM) leaves no Berth rule behind, and a crash (SIGKILL) leaves the rules
 * in place so containers get "connection refused" rather than the real metadata service.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class DaemonIptablesIT {

  private static final Path JAR = Path.of("target/berth-proxy.jar").toAbsolutePath();
  private static final String BASE = "arn:aws:iam::" + StsEmulator.DEFAULT_ACCOUNT_ID + ":role/";
  private static final String CREDS = "http://169.254.169.254/latest/meta-data/iam/security-credentials/";
  private static final int PORT = 18_400;

  private DockerLab lab;
  private StsEmulator sts;
  private LabClients clients;
  private RunningContainer app;
  private LabDaemon daemon;

  @BeforeAll
  void start() {
    lab = DockerLab.connect();
    LabClients.requireInsideLab(lab);
    sts = StsEmulator.start();
    clients = new LabClients(lab, sts);
    app = lab.start(ContainerSpec.named("daemon-app").withEnv("IAM_ROLE", "daemon-role").withHostRoot());
  }

  @AfterEach
  void stopDaemonAndRules() {
    if (daemon != null) {
      daemon.kill();
      daemon.close(); // its archive directory
    }
    Iptables.system().remove().block(Duration.ofSeconds(30));
  }

  @AfterAll
  void stop() {
    lab.close();
    sts.close();
  }

  private void startDaemon() {
    daemon = LabDaemon.start(JAR, lab, sts, PORT);
  }

  @Test
  void cleanStop_removesEveryRule() throws Exception {
    startDaemon();
    LabClients.Seen list = clients.curl(app, CREDS);
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.body()).isEqualTo("daemon-role");
    assertThat(clients.roleOfDocument(clients.curl(app, CREDS + "daemon-role").body())).isEqualTo(BASE + "daemon-role");

    assertThat(daemon.stop()).as("SIGTERM: a clean stop").isTrue();
    assertThat(LabClients.run("iptables-save") + LabClients.run("ip6tables-save")).doesNotContain("BERTH");
  }

  @Test
  void crash_leavesRulesSoContainersFailClosed() throws Exception {
    startDaemon();
    daemon.kill(); // SIGKILL: no shutdown hook runs
    assertThat(LabClients.run("iptables-save", "-t", "nat")).contains("BERTH-PREROUTING");
    var refused = clients.onHost(app, Map.of(), "/usr/bin/curl", "-s", "--max-time", "5", CREDS);
    assertThat(refused.exitCode()).as("curl's exit code: 7 is 'connection refused'").isEqualTo(7);
  }
}
