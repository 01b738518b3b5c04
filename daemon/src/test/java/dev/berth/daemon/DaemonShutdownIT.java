package dev.berth.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.iptables.Iptables;
import dev.berth.testing.Await;
import dev.berth.testing.DockerLab;
import dev.berth.testing.DockerLab.ContainerSpec;
import dev.berth.testing.DockerLab.RunningContainer;
import dev.berth.testing.Ec2Emulator;
import dev.berth.testing.LabClients;
import dev.berth.testing.LabDaemon;
import dev.berth.testing.StsEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to the whole daemon while it does all three of its jobs at once: containers on the lab's
 * bridge waiting for their credentials (STS answers slowly), a group of instances converging, and an
 * encryption copying an image. Every request already in the proxy is answered with the asking
 * container's own role, the encryption's temporary resources are deleted, the group is left where a
 * restart carries on, and no Berth rule remains.
 */
final class DaemonShutdownIT {

  private static final Path JAR = Path.of("target/berth-proxy.jar").toAbsolutePath();
  private static final String CREDS = "http://169.254.169.254/latest/meta-data/iam/security-credentials/";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PORT = 18_440;

  @TempDir
  Path state;

  private DockerLab lab;
  private StsEmulator sts;
  private Ec2Emulator ec2;
  private LabDaemon daemon;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    lab = DockerLab.connect();
    LabClients.requireInsideLab(lab);
    sts = StsEmulator.start();
    // Instances take a while to run and the copy far longer than the test: both are in progress at SIGTERM.
    ec2 = Ec2Emulator.builder().pendingDuration(Duration.ofSeconds(2)).copyDuration(Duration.ofMinutes(10)).start();
    daemon = LabDaemon.start(JAR, lab, sts, PORT, "--groups-dir", state.resolve("groups").toString(),
        "--encryptor-state-dir", state.resolve("encryptor").toString(), "--ec2-endpoint", ec2.endpoint().toString(),
        "--ec2-poll-interval", "200ms");
  }

  @AfterEach
  void stop() {
    daemon.close();
    Iptables.system().remove().block(Duration.ofSeconds(30));
    lab.close();
    sts.close();
    ec2.close();
  }

  @Test
  void sigterm_answersWhatIsInFlight_cleansUpTheJob_keepsTheGroup_removesTheRules() throws Exception {
    JsonNode committed = call("PUT", "/v1/groups/web", """
        {"ID": "web", "Properties": {"Allocation": {"Size": 4},
          "Instance": {"Plugin": "aws/ec2-instance", "Properties": {"RunInstancesInput": {"ImageId": "%s"}}},
          "Flavor": {"Plugin": "vanilla"}}}""".formatted(Ec2Emulator.EXAMPLE_IMAGE_ID));
    assertThat(committed.path("managing").asInt()).isEqualTo(4);
    String job = call("POST", "/v1/encryptions", "{\"image\": \"" + Ec2Emulator.EXAMPLE_IMAGE_ID + "\"}").path("id").asText();
    Await.until("the copy to be under way", () -> ec2.createdResources().keySet().stream().anyMatch(id -> id.startsWith("ami-")));

    // STS now answers after 2.5 s (within the STS client's 3 s per attempt): the containers' first fetches
    // (their prefetch, then their own requests) wait in the proxy while the daemon stops.
    sts.faults().delay(Duration.ofMillis(2500));
    LabClients clients = new LabClients(lab, sts);
    List<RunningContainer> apps = IntStream.range(0, 2).mapToObj(i -> lab.start(ContainerSpec.named("shutdown-app-" + i)
        .withEnv("IAM_ROLE", "shutdown-role-" + i).withHostRoot())).toList();
    List<CompletableFuture<LabClients.Seen>> inFlight = apps.stream()
        .flatMap(app -> IntStream.range(0, 3).mapToObj(n -> CompletableFuture.supplyAsync(
            () -> clients.curl(app, CREDS + "shutdown-role-" + apps.indexOf(app)))))
        .toList();
    Await.until("both containers' fetches to reach STS", () -> sts.assumeRoleCalls() >= 2);

    assertThat(daemon.stop()).as("SIGTERM: the daemon exits within 30 s").isTrue();

    for (int i = 0; i < inFlight.size(); i++) {
      LabClients.Seen seen = inFlight.get(i).get();
      assertThat(seen.status()).as("request %d, in flight at SIGTERM: %s; the daemon's log:%n%s", i, seen.body(),
          daemon.log()).isEqualTo(200);
      assertThat(clients.roleOfDocument(seen.body())).endsWith(":role/shutdown-role-" + (i / 3));
    }
    // The encryption was cancelled and cleaned up; the group's instances are not temporary and stay.
    assertThat(ec2.createdResources().keySet()).as("what is left: the group's instances and their volumes")
        .allMatch(id -> id.startsWith("i-") || id.startsWith("vol-"));
    assertThat(ec2.instances()).hasSize(4).noneMatch(instance -> instance.state().equals("terminated"));
    assertThat(Files.readString(state.resolve("encryptor").resolve(job + ".jsonl"))).contains("\"finished\"");
    assertThat(state.resolve("groups")).isDirectoryContaining(path -> path.getFileName().toString().startsWith("web"));
    assertThat(LabClients.run("iptables-save") + LabClients.run("ip6tables-save")).doesNotContain("BERTH");
    assertThat(daemon.log()).contains("encryption " + job + " cancelled");
  }

  private JsonNode call(String method, String path, String body) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (PORT + 1) + path))
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isLessThan(300);
    return JSON.readTree(response.body());
  }
}
