package dev.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.iptables.DockerBridges;
import dev.berth.iptables.Drift;
import dev.berth.iptables.Iptables;
import dev.berth.iptables.IptablesSpec;
import dev.berth.testing.LabClients;
import dev.berth.testing.DockerLab;
import dev.berth.testing.DockerLab.ContainerSpec;
import dev.berth.testing.DockerLab.ExecResult;
import dev.berth.testing.DockerLab.LabNetwork;
import dev.berth.testing.DockerLab.RunningContainer;
import dev.berth.testing.MetadataEmulator;
import dev.berth.testing.StsEmulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The transparent path end to end: Berth's iptables rules, installed with the iptables module's API
 * in the lab's namespace for docker0 and a user-defined bridge, steer containers' requests for the
 * plain {@code 169.254.169.254} to an embedded proxy, and real clients (curl, botocore, the AWS CLI
 * v2, the AWS SDK for Java v2) with no endpoint override each obtain exactly their own role. The
 * guard keeps every other interface out; removal leaves no Berth rule. Rules are removed in
 * {@link #stop()} whatever happened, before anything else is torn down.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class TransparentPathIT {

  private static final String LABEL = "com.swipely.iam-docker.iam-profile";
  private static final String BASE = "arn:aws:iam::" + StsEmulator.DEFAULT_ACCOUNT_ID + ":role/";
  private static final String METADATA = "http://169.254.169.254";
  private static final String CREDS = METADATA + "/latest/meta-data/iam/security-credentials/";
  private static final String JAVA = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";
  private static final String USER_DATA = "#!/bin/sh\necho 'user data through the transparent path'\n";
  private static final String CHILD = "berth-tp-" + ProcessHandle.current().pid();

  private DockerLab lab;
  private LabClients clients;
  private StsEmulator sts;
  private MetadataEmulator upstream;
  private BerthProxy proxy;
  private BerthProxy disabled;
  private LabNetwork userNetwork;
  private Iptables iptables;
  private IptablesSpec spec;
  private boolean childCreated;
  private RunningContainer labelled;
  private RunningContainer envOnly;
  private RunningContainer onUserNetwork;
  private RunningContainer neither;
  private RunningContainer forbidden;

  @BeforeAll
  void start() {
    lab = DockerLab.connect();
    LabClients.requireInsideLab(lab);
    sts = StsEmulator.start();
    clients = new LabClients(lab, sts);
    upstream = MetadataEmulator.builder().userData(USER_DATA.getBytes(StandardCharsets.UTF_8)).start();
    proxy = BerthProxy.start(config(upstream.endpoint().toString()));
    disabled = BerthProxy.start(config(null));
    userNetwork = lab.createNetwork("berth-transparent");
    Set<String> bridges;
    try (DockerBridges docker = DockerBridges.connect(lab.dockerHost().toString())) {
      bridges = docker.current().block(Duration.ofSeconds(30));
    }
    assertThat(bridges).contains("docker0", "br-" + userNetwork.id().substring(0, 12));
    iptables = Iptables.system();
    spec = IptablesSpec.dnat(lab.bridgeGateway(), proxy.address().getPort()).withInterfaces(bridges);
    iptables.install(spec).block(Duration.ofSeconds(60));

    labelled = lab.start(ContainerSpec.named("tp-labelled").withLabel(LABEL, "label-role").withHostRoot());
    envOnly = lab.start(ContainerSpec.named("tp-env-only").withEnv("IAM_ROLE", "env-role").withHostRoot());
    onUserNetwork = lab.start(ContainerSpec.named("tp-user-net").withNetwork(userNetwork.name())
        .withEnv("IAM_ROLE", "user-net-role").withHostRoot());
    neither = lab.start(ContainerSpec.named("tp-neither").withHostRoot());
    forbidden = lab.start(ContainerSpec.named("tp-forbidden").withEnv("IAM_ROLE", "admin").withHostRoot());
  }

  private ProxyConfig config(String upstreamUrl) {
    return new ProxyConfig(new InetSocketAddress("0.0.0.0", 0), new InetSocketAddress("127.0.0.1", 0),
        lab.dockerHost().toString(), upstreamUrl == null ? null : java.net.URI.create(upstreamUrl), Duration.ofSeconds(1), null, LABEL, BASE,
        Pattern.compile(".*:role/(label-role|env-role|user-net-role)"), "us-east-1", sts.endpoint(),
        Duration.ofHours(1), false, false, false, 1000, 1);
  }

  @AfterAll
  void stop() {
    try {
      if (iptables != null) {
        iptables.remove().block(Duration.ofSeconds(60));
      }
    } finally {
      if (childCreated) {
        LabClients.run("ip", "netns", "delete", CHILD);
      }
      if (lab != null) {
        lab.close();
      }
      for (AutoCloseable part : new AutoCloseable[] {proxy, disabled, upstream, sts}) {
        try {
          if (part != null) {
            part.close();
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  private Map<RunningContainer, String> roles() {
    return Map.of(labelled, "label-role", envOnly, "env-role", onUserNetwork, "user-net-role");
  }

  @Test
  @Order(1)
  void curl_imdsV1_eachContainerGetsItsOwnRole() {
    roles().forEach((container, role) -> {
      LabClients.Seen list = clients.curl(container, CREDS);
      assertThat(list.status()).as(container.name()).isEqualTo(200);
      assertThat(list.body()).isEqualTo(role);
      LabClients.Seen doc = clients.curl(container, CREDS + role);
      assertThat(clients.roleOfDocument(doc.body())).isEqualTo(BASE + role);
    });
  }

  @Test
  @Order(2)
  void curl_imdsV2Token_eachContainerGetsItsOwnRole() {
    roles().forEach((container, role) -> {
      LabClients.Seen token = clients.curl(container, METADATA + "/latest/api/token", "-X", "PUT",
          "-H", "X-aws-ec2-metadata-token-ttl-seconds: 300");
      assertThat(token.status()).isEqualTo(200);
      LabClients.Seen doc = clients.curl(container, CREDS + role, "-H", "X-aws-ec2-metadata-token: " + token.body());
      assertThat(doc.status()).isEqualTo(200);
      assertThat(clients.roleOfDocument(doc.body())).isEqualTo(BASE + role);
    });
  }

  @Test
  @Order(3)
  void botocore_defaultEndpoint_ownRole() {
    for (RunningContainer container : List.of(envOnly, onUserNetwork)) {
      ExecResult result = clients.onHost(container, Map.of(), "/usr/bin/python3", "-c",
          "import botocore.session; c = botocore.session.get_session().get_credentials(); "
              + "print(c.method, c.get_frozen_credentials().access_key)");
      assertThat(result.exitCode()).as(result.stderr()).isZero();
      assertThat(result.stdout()).startsWith("iam-role ");
      assertThat(clients.roleOfKey(result.stdout().split(" ")[1])).isEqualTo(BASE + roles().get(container));
    }
  }

  @Test
  @Order(4)
  void awsCliV2_exportCredentials_ownRole() {
    for (RunningContainer container : List.of(labelled, onUserNetwork)) {
      ExecResult result = clients.onHost(container, Map.of(), "/usr/bin/aws", "configure", "export-credentials",
          "--format", "env-no-export");
      assertThat(result.exitCode()).as(result.stderr()).isZero();
      var key = Pattern.compile("AWS_ACCESS_KEY_ID=(\\S+)").matcher(result.stdout());
      assertThat(key.find()).as(result.stdout()).isTrue();
      assertThat(clients.roleOfKey(key.group(1))).isEqualTo(BASE + roles().get(container));
    }
  }

  @Test
  @Order(5)
  void javaSdkV2_instanceProfileProvider_ownRole() {
    for (RunningContainer container : List.of(labelled, onUserNetwork)) {
      ExecResult result = clients.onHost(container, Map.of(), JAVA, "-cp", System.getProperty("java.class.path"),
          ImdsProbe.class.getName());
      assertThat(result.exitCode()).as(result.stderr()).isZero();
      assertThat(clients.roleOfKey(result.stdout().trim())).isEqualTo(BASE + roles().get(container));
    }
  }

  @Test
  @Order(6)
  void noRoleOrForbiddenRole_getsNothing() {
    for (RunningContainer container : List.of(neither, forbidden)) {
      assertThat(clients.curl(container, CREDS).status()).isEqualTo(404);
      ExecResult botocore = clients.onHost(container, Map.of(), "/usr/bin/python3", "-c",
          "import botocore.session; print(botocore.session.get_session().get_credentials())");
      assertThat(botocore.stdout().trim()).isEqualTo("None");
    }
    assertThat(sts.assumeRoleCalls(BASE + "admin")).isZero();
  }

  @Test
  @Order(7)
  void userData_fromUpstream_refusedWhenUpstreamDisabled() {
    LabClients.Seen passed = clients.curl(labelled, METADATA + "/latest/user-data");
    assertThat(passed.status()).isEqualTo(200);
    assertThat(passed.body()).isEqualTo(USER_DATA);
    int upstreamRequests = upstream.requests("/latest/user-data");

    IptablesSpec toDisabled = IptablesSpec.dnat(lab.bridgeGateway(), disabled.address().getPort())
        .withInterfaces(spec.interfaces());
    try {
      iptables.install(toDisabled).block(Duration.ofSeconds(60));
      assertThat(clients.curl(labelled, METADATA + "/latest/user-data").status()).isEqualTo(404);
      assertThat(clients.curl(labelled, CREDS).body()).isEqualTo("label-role");
    } finally {
      iptables.install(spec).block(Duration.ofSeconds(60));
    }
    assertThat(upstream.requests("/latest/user-data")).isEqualTo(upstreamRequests);
    assertThat(clients.curl(labelled, METADATA + "/latest/user-data").status()).isEqualTo(200);
  }

  @Test
  @Order(8)
  void guard_proxyPortUnreachableFromANonBridgeInterfaceAndLoopback() {
    childNamespace();
    int guarded = proxy.address().getPort();
    int unguarded = disabled.address().getPort();
    // The path works (the other proxy answers); only the guarded port is dropped.
    assertThat(fromChild(unguarded).stdout()).endsWith("404");
    assertThat(fromChild(guarded).exitCode()).as("curl: operation timed out").isEqualTo(28);
    assertThat(LabClients.connects("127.0.0.1", unguarded)).isTrue();
    assertThat(LabClients.connects("127.0.0.1", guarded)).isFalse();
  }

  @Test
  @Order(9)
  void remove_noBerthRuleRemains_andTheGuardIsGone() {
    iptables.remove().block(Duration.ofSeconds(60));
    assertThat(LabClients.run("iptables-save") + LabClients.run("ip6tables-save")).doesNotContain("BERTH");
    Drift drift = iptables.check(spec).block();
    assertThat(drift.changes()).allSatisfy(c -> assertThat(c.kind()).isEqualTo(Drift.Kind.MISSING));
    assertThat(fromChild(proxy.address().getPort()).stdout()).endsWith("404");
    assertThat(clients.onHost(labelled, Map.of(), "/usr/bin/curl", "-s", "--max-time", "3", CREDS).exitCode()).isNotZero();
  }

  /** A namespace of the test's own, attached to the lab by a veth pair (not a bridge): 198.19.250.2 -> .1. */
  private void childNamespace() {
    if (childCreated) {
      return;
    }
    LabClients.run("ip", "netns", "add", CHILD);
    childCreated = true;
    String labSide = "btp" + (ProcessHandle.current().pid() % 100_000) + "a";
    String childSide = "btp" + (ProcessHandle.current().pid() % 100_000) + "b";
    LabClients.run("ip", "link", "add", labSide, "type", "veth", "peer", "name", childSide, "netns", CHILD);
    LabClients.run("ip", "addr", "add", "198.19.250.1/30", "dev", labSide);
    LabClients.run("ip", "link", "set", labSide, "up");
    LabClients.run("nsenter", "--net=/run/netns/" + CHILD, "ip", "addr", "add", "198.19.250.2/30", "dev", childSide);
    LabClients.run("nsenter", "--net=/run/netns/" + CHILD, "ip", "link", "set", childSide, "up");
    LabClients.run("nsenter", "--net=/run/netns/" + CHILD, "ip", "link", "set", "lo", "up");
  }

  private ExecResult fromChild(int port) {
    return LabClients.exec("nsenter", "--net=/run/netns/" + CHILD, "/usr/bin/curl", "-s", "--max-time", "3", "-o",
        "/dev/null", "-w", "%{http_code}", "http://198.19.250.1:" + port + "/latest/meta-data/iam/security-credentials/");
  }
}
