package dev.berth.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.sun.net.httpserver.HttpServer;
import dev.berth.testing.DockerLab.ContainerSpec;
import dev.berth.testing.DockerLab.ExecResult;
import dev.berth.testing.DockerLab.LabNetwork;
import dev.berth.testing.DockerLab.RunningContainer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Docker lab works end to end: the real engine inside the lab's namespace, this JVM inside
 * the same namespace (failsafe runs it through scripts/lab/bin/java), and the paths the proxy
 * tests depend on.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DockerLabIT {

  private static final String PREFIX =
      "berth-lab-it-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFL);

  private static DockerLab lab;

  @BeforeAll
  static void connect() {
    lab = DockerLab.connect();
  }

  @AfterAll
  static void cleanUp() {
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void theTestJvmRunsInsideTheLabNamespaceWhichHasNoRouteOut() throws IOException {
    assertThat(lab.bridgeGateway()).isEqualTo("198.18.0.1");
    assertThat(lab.jvmInsideLab())
        .as("this JVM owns the bridge gateway address, i.e. runs inside the lab namespace")
        .isTrue();
    // /proc/net/route shows this JVM's own namespace: no default route (destination 00000000),
    // so nothing can leave it. Checked without sending a single packet.
    List<String> routes = Files.readAllLines(Path.of("/proc/net/route"));
    assertThat(routes.subList(1, routes.size()))
        .as("IPv4 routes of the lab namespace")
        .noneMatch(line -> line.split("\\s+")[1].equals("00000000"));
  }

  @Test
  void aBusyboxContainerStartsWithAnAddressOnTheLabBridge() {
    RunningContainer c = lab.start(ContainerSpec.named(PREFIX + "-plain"));

    assertThat(c.id()).hasSize(64);
    assertThat(c.name()).isEqualTo(PREFIX + "-plain");
    assertThat(c.network()).isEqualTo("bridge");
    assertThat(c.ipAddress()).startsWith("198.18.0.").isNotEqualTo("198.18.0.1");
    assertThat(c.ipAddress("bridge")).isEqualTo(c.ipAddress());

    ExecResult uname = lab.exec(c, "uname", "-s");
    assertThat(uname.exitCode()).isZero();
    assertThat(uname.stdout().trim()).isEqualTo("Linux");

    ExecResult failing = lab.exec(c, "sh", "-c", "echo oops >&2; exit 3");
    assertThat(failing.exitCode()).isEqualTo(3);
    assertThat(failing.stderr()).isEqualTo("oops\n");
    assertThat(failing.stdout()).isEmpty();

    assertThatThrownBy(() -> lab.exec(c, Duration.ofMillis(500), "sleep", "30"))
        .isInstanceOf(DockerLab.ExecTimeoutException.class)
        .hasMessageContaining("did not finish within");

    lab.stop(c);
    assertThat(lab.inspect(c).getState().getRunning()).isFalse();
    lab.remove(c);
    assertThatThrownBy(() -> lab.inspect(c)).isInstanceOf(NotFoundException.class);
  }

  @Test
  void closeRemovesEverythingThatLabCreated() {
    RunningContainer named;
    RunningContainer anonymous;
    LabNetwork net;
    try (DockerLab other = DockerLab.connect()) {
      net = other.createNetwork(PREFIX + "-closing-net");
      named = other.start(ContainerSpec.named(PREFIX + "-closing").withNetwork(net.name()));
      anonymous = other.start(ContainerSpec.anonymous());
      assertThat(anonymous.name()).startsWith("berth-lab-");
      other.stop(anonymous);
    }
    DockerClient client = lab.client();
    for (RunningContainer c : List.of(named, anonymous)) {
      assertThatThrownBy(() -> client.inspectContainerCmd(c.id()).exec())
          .as(c.name())
          .isInstanceOf(NotFoundException.class);
    }
    assertThatThrownBy(() -> client.inspectNetworkCmd().withNetworkId(net.id()).exec())
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void labelsAndEnvAreVisibleThroughInspect() {
    RunningContainer c =
        lab.start(
            ContainerSpec.named(PREFIX + "-labelled")
                .withLabel("com.swipely.iam-docker.iam-profile", "role/lab-test")
                .withEnv("IAM_ROLE", "lab-test-role"));

    InspectContainerResponse info = lab.inspect(c);
    assertThat(info.getConfig().getLabels())
        .containsEntry("com.swipely.iam-docker.iam-profile", "role/lab-test")
        .containsEntry(DockerLab.LABEL, "true");
    assertThat(info.getConfig().getEnv()).contains("IAM_ROLE=lab-test-role");
    assertThat(info.getConfig().getImage()).isEqualTo(DockerLab.DEFAULT_IMAGE);
    assertThat(lab.exec(c, "sh", "-c", "echo $IAM_ROLE").stdout()).isEqualTo("lab-test-role\n");
  }

  @Test
  void theMachinesOwnClientsRunFromTheMountedHostRoot() {
    RunningContainer c =
        lab.start(
            ContainerSpec.named(PREFIX + "-hostroot")
                .withHostRoot()
                .withEnv("AWS_EC2_METADATA_DISABLED", "true")
                .withEnv("AWS_ACCESS_KEY_ID", "AKIDBERTHTEST0000000")
                .withEnv("AWS_SECRET_ACCESS_KEY", "berth-test-secret")
                .withEnv("AWS_REGION", "us-east-1"));

    ExecResult aws = lab.exec(c, "chroot", "/host", "/usr/bin/aws", "--version");
    assertThat(aws.exitCode()).as(aws.stderr()).isZero();
    assertThat(aws.stdout()).startsWith("aws-cli/2.");

    ExecResult botocore =
        lab.exec(c, "chroot", "/host", "/usr/bin/python3", "-c", "import botocore; print(botocore.__version__)");
    assertThat(botocore.exitCode()).as(botocore.stderr()).isZero();
    assertThat(botocore.stdout().trim()).matches("\\d+\\.\\d+\\.\\d+");

    ExecResult curl = lab.exec(c, "chroot", "/host", "/usr/bin/curl", "--version");
    assertThat(curl.exitCode()).as(curl.stderr()).isZero();
    assertThat(curl.stdout()).startsWith("curl ");

    ExecResult java =
        lab.exec(c, "chroot", "/host", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java", "-version");
    assertThat(java.exitCode()).as(java.stderr()).isZero();
    assertThat(java.stderr()).contains("openjdk version \"17");
  }

  @Test
  void aContainerReachesTheTestJvmAtTheBridgeGatewayWithItsOwnSourceAddress() throws IOException {
    RunningContainer c = lab.start(ContainerSpec.named(PREFIX + "-client"));
    try (WhoAmIServer server = WhoAmIServer.start()) {
      String url = "http://" + lab.bridgeGateway() + ":" + server.port() + "/whoami";

      ExecResult r = lab.exec(c, "timeout", "20", "wget", "-q", "-O-", url);

      assertThat(r.exitCode()).as(r.stderr()).isZero();
      assertThat(r.stdout()).isEqualTo(c.ipAddress());
      assertThat(server.sources()).containsExactly(c.ipAddress());
    }
  }

  @Test
  void aContainerOnAUserDefinedNetworkReachesTheTestJvmToo() throws IOException {
    LabNetwork net = lab.createNetwork(PREFIX + "-net");
    assertThat(net.subnet()).startsWith("198.18.").endsWith(".0/24").isNotEqualTo("198.18.0.0/24");

    RunningContainer c = lab.start(ContainerSpec.named(PREFIX + "-onnet").withNetwork(net.name()));
    assertThat(c.network()).isEqualTo(net.name());
    String prefix = net.gateway().substring(0, net.gateway().lastIndexOf('.') + 1);
    assertThat(c.ipAddress()).startsWith(prefix).isNotEqualTo(net.gateway());

    try (WhoAmIServer server = WhoAmIServer.start()) {
      for (String gateway : List.of(net.gateway(), lab.bridgeGateway())) {
        ExecResult r =
            lab.exec(c, "timeout", "20", "wget", "-q", "-O-", "http://" + gateway + ":" + server.port() + "/");
        assertThat(r.exitCode()).as(gateway + ": " + r.stderr()).isZero();
        assertThat(r.stdout()).as(gateway).isEqualTo(c.ipAddress());
      }
      assertThat(server.sources()).containsExactly(c.ipAddress(), c.ipAddress());
    }

    RunningContainer both = lab.connectNetwork(c, "bridge");
    assertThat(both.ipAddresses()).containsKeys(net.name(), "bridge");
    assertThat(both.ipAddress("bridge")).startsWith("198.18.0.");
  }

  /** An HTTP server on 0.0.0.0 that answers with, and records, the peer's address. */
  private static final class WhoAmIServer implements AutoCloseable {
    private final HttpServer server;
    private final BlockingQueue<String> sources = new LinkedBlockingQueue<>();

    private WhoAmIServer(HttpServer server) {
      this.server = server;
    }

    static WhoAmIServer start() throws IOException {
      HttpServer http = HttpServer.create(new InetSocketAddress("0.0.0.0", 0), 16);
      WhoAmIServer who = new WhoAmIServer(http);
      http.createContext("/", exchange -> {
        String peer = exchange.getRemoteAddress().getAddress().getHostAddress();
        who.sources.add(peer);
        byte[] body = peer.getBytes(StandardCharsets.US_ASCII);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      });
      http.start();
      return who;
    }

    int port() {
      return server.getAddress().getPort();
    }

    List<String> sources() {
      return List.copyOf(sources);
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
