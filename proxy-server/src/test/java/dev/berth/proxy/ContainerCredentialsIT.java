package dev.berth.proxy;

import dev.berth.testing.LabClients;
import dev.berth.testing.Await;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.HostConfig;
import dev.berth.testing.DockerLab;
import dev.berth.testing.DockerLab.ContainerSpec;
import dev.berth.testing.DockerLab.ExecResult;
import dev.berth.testing.DockerLab.RunningContainer;
import dev.berth.testing.MetadataEmulator;
import dev.berth.testing.StsEmulator;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The proxy against a real Docker engine, with real clients inside real containers: curl, botocore,
 * the AWS CLI v2 and the AWS SDK for Java v2 each obtain exactly their own container's role.
 * The test JVM, the proxy, the emulators and dockerd all live in the lab's network namespace;
 * containers reach the proxy at the bridge gateway.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class ContainerCredentialsIT {

  private static final String LABEL = "com.swipely.iam-docker.iam-profile";
  private static final String BASE = "arn:aws:iam::" + StsEmulator.DEFAULT_ACCOUNT_ID + ":role/";
  private static final String CREDS = "/latest/meta-data/iam/security-credentials/";
  private static final String JAVA = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";

  private DockerLab lab;
  private LabClients clients;
  private StsEmulator sts;
  private MetadataEmulator upstream;
  private BerthProxy optional;
  private BerthProxy required;
  private RunningContainer labelled;
  private RunningContainer envOnly;
  private RunningContainer both;
  private RunningContainer neither;
  private RunningContainer forbidden;

  @BeforeAll
  void start() {
    lab = DockerLab.connect();
    sts = StsEmulator.start();
    clients = new LabClients(lab, sts);
    upstream = MetadataEmulator.start();
    optional = BerthProxy.start(config(false));
    required = BerthProxy.start(config(true));
    labelled = lab.start(ContainerSpec.named("labelled").withLabel(LABEL, "label-role").withHostRoot());
    envOnly = lab.start(ContainerSpec.named("env-only").withEnv("IAM_ROLE", "env-role").withHostRoot());
    both = lab.start(ContainerSpec.named("both").withLabel(LABEL, "label-wins").withEnv("IAM_ROLE", "env-loses")
        .withHostRoot());
    neither = lab.start(ContainerSpec.named("neither").withHostRoot());
    forbidden = lab.start(ContainerSpec.named("forbidden").withEnv("IAM_ROLE", "admin").withHostRoot());
  }

  private ProxyConfig config(boolean tokenRequired) {
    return new ProxyConfig(new InetSocketAddress("0.0.0.0", 0), new InetSocketAddress("127.0.0.1", 0),
        lab.dockerHost().toString(), upstream.endpoint(), Duration.ZERO, null, LABEL, BASE,
        Pattern.compile(".*:role/(label-role|label-wins|env-role|reuse-.*|late-role)"), "us-east-1", sts.endpoint(),
        Duration.ofHours(1), tokenRequired, false, false, 1000, 1);
  }

  @AfterAll
  void stop() {
    if (lab != null) {
      lab.close();
    }
    for (AutoCloseable part : new AutoCloseable[] {optional, required, upstream, sts}) {
      try {
        if (part != null) {
          part.close();
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private String endpoint(BerthProxy proxy) {
    return "http://" + lab.bridgeGateway() + ":" + proxy.address().getPort();
  }

  @Test
  void curl_eachContainerGetsItsOwnRole() {
    Map<RunningContainer, String> expected = Map.of(labelled, "label-role", envOnly, "env-role", both, "label-wins");
    expected.forEach((container, role) -> {
      LabClients.Seen list = clients.curl(container, endpoint(optional) + CREDS);
      assertThat(list.status()).isEqualTo(200);
      assertThat(list.body()).isEqualTo(role);
      LabClients.Seen doc = clients.curl(container, endpoint(optional) + CREDS + role);
      assertThat(doc.status()).isEqualTo(200);
      assertThat(clients.roleOfDocument(doc.body())).isEqualTo(BASE + role);
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"neither", "forbidden"})
  void curl_noRoleOrForbiddenRole_404(String which) {
    RunningContainer container = which.equals("neither") ? neither : forbidden;
    assertThat(clients.curl(container, endpoint(optional) + CREDS).status()).isEqualTo(404);
    assertThat(sts.assumeRoleCalls(BASE + "admin")).isZero();
  }

  @Test
  void curl_imdsv2Required_tokenFlow() {
    assertThat(clients.curl(labelled, endpoint(required) + CREDS).status()).isEqualTo(401);
    LabClients.Seen token = clients.curl(labelled, endpoint(required) + "/latest/api/token", "-X", "PUT",
        "-H", "X-aws-ec2-metadata-token-ttl-seconds: 300");
    assertThat(token.status()).isEqualTo(200);
    LabClients.Seen list = clients.curl(labelled, endpoint(required) + CREDS, "-H", "X-aws-ec2-metadata-token: " + token.body());
    assertThat(list.body()).isEqualTo("label-role");
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void botocore_getsOwnRole(boolean tokenRequired) {
    BerthProxy proxy = tokenRequired ? required : optional;
    ExecResult result = clients.onHost(envOnly, Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint(proxy) + "/"),
        "/usr/bin/python3", "-c",
        "import botocore.session; c = botocore.session.get_session().get_credentials(); "
            + "print(c.method, c.get_frozen_credentials().access_key)");
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout()).startsWith("iam-role ");
    assertThat(clients.roleOfKey(result.stdout().split(" ")[1])).isEqualTo(BASE + "env-role");
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void awsCli_exportCredentials_getsOwnRole(boolean tokenRequired) {
    BerthProxy proxy = tokenRequired ? required : optional;
    ExecResult result = clients.onHost(both, Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint(proxy) + "/"),
        "/usr/bin/aws", "configure", "export-credentials", "--format", "env-no-export");
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    var key = Pattern.compile("AWS_ACCESS_KEY_ID=(\\S+)").matcher(result.stdout());
    assertThat(key.find()).as(result.stdout()).isTrue();
    assertThat(clients.roleOfKey(key.group(1))).isEqualTo(BASE + "label-wins");
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void javaSdkV2_instanceProfileProvider_getsOwnRole(boolean tokenRequired) {
    BerthProxy proxy = tokenRequired ? required : optional;
    ExecResult result = clients.onHost(labelled, Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint(proxy)),
        JAVA, "-cp", System.getProperty("java.class.path"), ImdsProbe.class.getName());
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(clients.roleOfKey(result.stdout().trim())).isEqualTo(BASE + "label-role");
  }

  @Test
  void unknownAddress_404() {
    ProxyHarness.Caller gateway = new ProxyHarness.Caller(
        new InetSocketAddress(lab.bridgeGateway(), 0).getAddress(), new InetSocketAddress(lab.bridgeGateway(),
            optional.address().getPort()));
    assertThat(gateway.get(CREDS).status()).isEqualTo(404);
  }

  @Test
  void containerStartedLater_prefetchedBeforeItAsks() {
    RunningContainer late = lab.start(ContainerSpec.named("late").withEnv("IAM_ROLE", "late-role").withHostRoot());
    Await.until("the proxy prefetches late-role", () -> sts.assumeRoleCalls(BASE + "late-role") >= 1);
    assertThat(clients.curl(late, endpoint(optional) + CREDS).body()).isEqualTo("late-role");
  }

  @Test
  void addressReuse_newContainerOnlyEverGetsItsOwnRole() {
    var network = lab.createNetwork("berth-reuse", "198.18.7.0/24", "198.18.7.1");
    RunningContainer first = lab.start(ContainerSpec.named("reuse-first").withNetwork(network.name())
        .withEnv("IAM_ROLE", "reuse-first").withHostRoot());
    String address = first.ipAddress(network.name());
    LabClients.Seen firstDoc = clients.curl(first, endpoint(optional) + CREDS + "reuse-first");
    assertThat(clients.roleOfDocument(firstDoc.body())).isEqualTo(BASE + "reuse-first");
    lab.remove(first);

    String secondId = lab.client().createContainerCmd(DockerLab.DEFAULT_IMAGE)
        .withName("reuse-second")
        .withEnv("IAM_ROLE=reuse-second")
        .withLabels(Map.of(DockerLab.LABEL, "true"))
        .withCmd("sleep", "3600")
        .withHostConfig(HostConfig.newHostConfig().withNetworkMode(network.name()).withBinds(
            com.github.dockerjava.api.model.Bind.parse("/:/host:ro")))
        .withIpv4Address(address)
        .exec().getId();
    try {
      lab.client().startContainerCmd(secondId).exec();
      var inspected = lab.client().inspectContainerCmd(secondId).exec();
      ContainerNetwork attached = inspected.getNetworkSettings().getNetworks().get(network.name());
      assertThat(attached.getIpAddress()).isEqualTo(address);
      RunningContainer second = new RunningContainer(secondId, "reuse-second", network.name(), address,
          Map.of(network.name(), address));
      for (int i = 0; i < 10; i++) {
        LabClients.Seen list = clients.curl(second, endpoint(optional) + CREDS);
        assertThat(list.body()).isEqualTo("reuse-second");
        assertThat(clients.curl(second, endpoint(optional) + CREDS + "reuse-first").status()).isEqualTo(404);
        LabClients.Seen doc = clients.curl(second, endpoint(optional) + CREDS + "reuse-second");
        assertThat(clients.roleOfDocument(doc.body())).isEqualTo(BASE + "reuse-second");
      }
    } finally {
      lab.client().removeContainerCmd(secondId).withForce(true).exec();
    }
  }

  @Test
  void passThrough_andIamNeverForwarded_fromAContainer() {
    LabClients.Seen instanceId = clients.curl(labelled, endpoint(optional) + "/latest/meta-data/instance-id");
    assertThat(instanceId.body()).isEqualTo(upstream.instance().instanceId());
    LabClients.Seen host = clients.curl(labelled, endpoint(optional) + CREDS + MetadataEmulator.HOST_ROLE_NAME);
    assertThat(host.status()).isEqualTo(404);
    assertThat(upstream.requestsUnder("/latest/meta-data/iam")).isZero();
  }
}
