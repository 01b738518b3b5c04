package dev.berth.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.provisioner.controller.GroupStatus;
import dev.berth.proxy.ContainerDecision;
import dev.berth.proxy.ProxyConfig;
import dev.berth.testing.Await;
import dev.berth.testing.Ec2Emulator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

/**
 * The control API as an operator meets it, on a daemon in local mode (no Docker engine) whose
 * groups and encryptions go to the EC2 emulator: JSON in, JSON out, stable error codes, and every
 * answer shows what the pipelines really did to EC2.
 */
class ControlApiTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SPEC = """
      {"ID": "%s", "Properties": {
        "Allocation": {"Size": %d},
        "Instance": {"Plugin": "aws/ec2-instance",
          "Properties": {"RunInstancesInput": {"ImageId": "%s"}, "Tags": {"Name": "api-test"}}},
        "Flavor": {"Plugin": "vanilla", "Properties": {"Init": ["echo hello"]}}}}
      """;

  @TempDir
  Path state;

  private Ec2Emulator ec2;
  private Berth berth;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<Thread> statusThreads = new CopyOnWriteArrayList<>();
  private final List<GroupStatus> statuses = new CopyOnWriteArrayList<>();
  private Disposable watching;

  @BeforeEach
  void start() {
    ec2 = Ec2Emulator.builder().pendingDuration(Duration.ofMillis(200)).shuttingDownDuration(Duration.ofMillis(200))
        .copyDuration(Duration.ofMillis(300)).start();
    berth = Berth.builder(ProxyConfig.builder().local(true).region("us-east-1")
            .listen(new InetSocketAddress("127.0.0.1", 0)).adminListen(new InetSocketAddress("127.0.0.1", 0)).build())
        .groupsDirectory(state.resolve("groups"))
        .encryptorStateDirectory(state.resolve("encryptor"))
        .ec2Endpoint(ec2.endpoint())
        .ec2PollInterval(Duration.ofMillis(100))
        .build();
    berth.start().block();
    watching = berth.groupStatus().subscribe(status -> {
      statusThreads.add(Thread.currentThread());
      statuses.add(status);
    });
  }

  @AfterEach
  void stop() {
    watching.dispose();
    berth.stop().block();
    ec2.close();
  }

  @Test
  void groups_pretendPlans_commitLaunches_describeShowsIt_deleteDestroys() throws Exception {
    String spec = SPEC.formatted("web", 3, Ec2Emulator.EXAMPLE_IMAGE_ID);

    Answer plan = send("PUT", "/v1/groups/web?pretend=true", spec);
    assertThat(plan.status()).isEqualTo(200);
    assertThat(plan.json().path("pretend").asBoolean()).isTrue();
    assertThat(plan.json().path("plan").path("create").asInt()).isEqualTo(3);
    assertThat(ec2.instances()).isEmpty();
    assertThat(send("GET", "/v1/groups/web", null).status()).isEqualTo(404);

    Answer committed = send("PUT", "/v1/groups/web", spec);
    assertThat(committed.status()).isEqualTo(200);
    assertThat(committed.json().path("managing").asInt()).isEqualTo(3);
    assertThat(ec2.instances()).hasSize(3);
    assertThat(state.resolve("groups")).isDirectoryContaining(path -> path.getFileName().toString().startsWith("web"));

    Await.until("the group to converge", () -> field("/v1/groups/web", "status").equals("converged"));
    JsonNode described = send("GET", "/v1/groups/web", null).json();
    assertThat(described.path("desired").asInt()).isEqualTo(3);
    assertThat(described.path("actual").asInt()).isEqualTo(3);
    assertThat(described.path("outOfDate").asInt()).isZero();
    assertThat(described.path("lastError").isNull()).isTrue();
    assertThat(send("GET", "/v1/groups", null).json()).hasSize(1);
    Await.until("a round's status on the stream", () -> statuses.stream().anyMatch(GroupStatus::converged));
    assertThat(statusThreads).allMatch(thread -> berth.runtime().isLoopThread(thread));
    Await.until("the group's gauges", () -> metrics().contains("berth_group_desired{group=\"web\"} 3.0"));

    Answer destroying = send("DELETE", "/v1/groups/web", null);
    assertThat(destroying.status()).isEqualTo(202);
    Await.until("the group to be gone", () -> status("/v1/groups/web") == 404);
    Await.until("its gauges gone from /metrics", () -> !metrics().contains("group=\"web\""));
    assertThat(ec2.instances()).allMatch(instance -> instance.state().equals("terminated"));
    assertThat(send("GET", "/v1/groups/web", null).json().path("code").asText()).isEqualTo("group_not_found");
  }

  @Test
  void watchingAGroup_describesItOncePerRound() throws Exception {
    send("PUT", "/v1/groups/steady", SPEC.formatted("steady", 2, Ec2Emulator.EXAMPLE_IMAGE_ID));
    Await.until("the group to converge", () -> statuses.stream().anyMatch(GroupStatus::converged));
    int rounds = statuses.size();
    int describes = ec2.calls("DescribeInstances");
    Await.until("five more rounds", () -> statuses.size() >= rounds + 5);
    // Each round describes the group once and publishes what it found; nothing describes it again.
    assertThat(ec2.calls("DescribeInstances") - describes).isLessThanOrEqualTo(statuses.size() - rounds + 1);
  }

  @Test
  void readingAGroup_answersFromTheLastRound_butAChangeIsReadBackAtOnce() throws Exception {
    send("PUT", "/v1/groups/read", SPEC.formatted("read", 2, Ec2Emulator.EXAMPLE_IMAGE_ID));
    Await.until("the group to converge", () -> statuses.stream().anyMatch(GroupStatus::converged));
    int rounds = statuses.size();
    int describes = ec2.calls("DescribeInstances");
    for (int i = 0; i < 20; i++) {
      assertThat(send("GET", "/v1/groups/read", null).json().path("status").asText()).isEqualTo("converged");
      assertThat(send("GET", "/v1/groups", null).json()).hasSize(1);
    }
    // 40 reads: no more EC2 calls than the rounds that ran meanwhile made.
    assertThat(ec2.calls("DescribeInstances") - describes).isLessThanOrEqualTo(statuses.size() - rounds + 1);

    send("PUT", "/v1/groups/read", SPEC.formatted("read", 3, Ec2Emulator.EXAMPLE_IMAGE_ID));
    assertThat(send("GET", "/v1/groups/read", null).json().path("desired").asInt())
        .as("the committed spec, read back before any round").isEqualTo(3);
    send("POST", "/v1/groups/read/free", null);
    assertThat(send("GET", "/v1/groups/read", null).status()).isEqualTo(404);
  }

  @Test
  void groups_badInput_answeredWithStableCodes_andNothingChanges() throws Exception {
    Answer notJson = send("PUT", "/v1/groups/web", "{not json");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.json().path("code").asText()).isEqualTo("invalid_spec");

    Answer mismatch = send("PUT", "/v1/groups/web", SPEC.formatted("db", 1, Ec2Emulator.EXAMPLE_IMAGE_ID));
    assertThat(mismatch.status()).isEqualTo(400);
    assertThat(mismatch.json().path("message").asText()).contains("/v1/groups/db");

    Answer free = send("POST", "/v1/groups/nobody/free", "");
    assertThat(free.status()).isEqualTo(404);
    assertThat(free.json().path("code").asText()).isEqualTo("group_not_found");

    String huge = "{\"ID\": \"web\", \"Pad\": \"" + "x".repeat(2 << 20) + "\"}";
    // Refused by its Content-Length, and sent chunked (no length: refused once the limit is passed).
    for (boolean chunked : List.of(false, true)) {
      for (String path : List.of("/v1/groups/web", "/v1/encryptions")) {
        HttpRequest.BodyPublisher body = chunked
            ? HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofString(huge))
            : HttpRequest.BodyPublishers.ofString(huge);
        HttpResponse<String> tooLarge = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + berth.adminAddress().getPort() + path)).method(path.endsWith("web") ? "PUT" : "POST", body).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(tooLarge.statusCode()).as(path + (chunked ? " chunked" : "")).isEqualTo(413);
        assertThat(JSON.readTree(tooLarge.body()).path("code").asText()).isEqualTo("body_too_large");
      }
    }
    assertThat(berth.encryptions().list()).isEmpty();

    Answer unknownPath = send("GET", "/v1/nothing-here", null);
    assertThat(unknownPath.status()).isEqualTo(404);
    assertThat(unknownPath.json().path("code").asText()).isEqualTo("not_found");
    assertThat(ec2.instances()).isEmpty();
    assertThat(ec2.calls("RunInstances")).isZero();
  }

  @Test
  void maxInstances_defaultRefusesABiggerGroup_andARaisedCapAcceptsIt() throws Exception {
    Answer refused = send("PUT", "/v1/groups/big", SPEC.formatted("big", 150, Ec2Emulator.EXAMPLE_IMAGE_ID));
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.body()).contains("100");
    assertThat(ec2.calls("RunInstances")).isZero();

    Berth raised = Berth.builder(ProxyConfig.builder().local(true).region("us-east-1")
            .listen(new InetSocketAddress("127.0.0.1", 0)).adminListen(new InetSocketAddress("127.0.0.1", 0)).build())
        .groupsDirectory(state.resolve("raised")).ec2Endpoint(ec2.endpoint()).maxInstancesPerGroup(150)
        .ec2PollInterval(Duration.ofMillis(100)).build();
    raised.start().block();
    try {
      HttpResponse<String> accepted = call(raised, "PUT", "/v1/groups/big", SPEC.formatted("big", 150, Ec2Emulator.EXAMPLE_IMAGE_ID));
      assertThat(accepted.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(accepted.body()).path("managing").asInt()).isEqualTo(150);
      assertThat(ec2.instances()).hasSize(150);
    } finally {
      raised.stop().block();
    }
  }

  @Test
  void free_forgetsTheGroup_andLeavesItsInstances() throws Exception {
    send("PUT", "/v1/groups/keep", SPEC.formatted("keep", 2, Ec2Emulator.EXAMPLE_IMAGE_ID));
    Await.until("the group's gauges", () -> metrics().contains("group=\"keep\""));
    Answer freed = send("POST", "/v1/groups/keep/free", "");
    assertThat(freed.status()).isEqualTo(200);
    assertThat(send("GET", "/v1/groups/keep", null).status()).isEqualTo(404);
    assertThat(ec2.instances()).hasSize(2).noneMatch(instance -> instance.state().equals("terminated"));
    assertThat(get(berth.adminAddress(), "/metrics")).doesNotContain("group=\"keep\"");
  }

  @Test
  void encryption_runsToTheEnd_andItsEventsStreamAsServerSentEvents() throws Exception {
    List<Thread> jobThreads = new CopyOnWriteArrayList<>();
    Disposable following = berth.encryptions().changes().subscribe(job -> jobThreads.add(Thread.currentThread()));
    Answer submitted = send("POST", "/v1/encryptions", "{\"image\": \"" + Ec2Emulator.EXAMPLE_IMAGE_ID + "\"}");
    assertThat(submitted.status()).isEqualTo(202);
    String id = submitted.json().path("id").asText();
    assertThat(id).matches("enc-[0-9a-f]{16}");

    List<String> events = serverSentEvents("/v1/encryptions/" + id + "/events");
    assertThat(events.get(events.size() - 1)).startsWith("event: succeeded");
    JsonNode job = send("GET", "/v1/encryptions/" + id, null).json();
    assertThat(job.path("state").asText()).isEqualTo("succeeded");
    assertThat(job.path("imageId").asText()).startsWith("ami-");
    assertThat(send("GET", "/v1/encryptions", null).json()).hasSize(1);
    following.dispose();
    // Every step after the job was accepted ran on the daemon's one loop (BlockHound watches it).
    assertThat(jobThreads.subList(1, jobThreads.size())).isNotEmpty()
        .allMatch(thread -> berth.runtime().isLoopThread(thread));
    // Nothing temporary is left: only the encrypted image and its snapshots remain of what the run made.
    String imageId = job.path("imageId").asText();
    assertThat(ec2.createdResources()).containsKey(imageId)
        .allSatisfy((resource, tags) -> assertThat(resource.equals(imageId) || resource.startsWith("snap-")).isTrue());
  }

  /**
   * A client that pipelines — or simply sends its next request before the server has finished with
   * the last — is answered and read on: an asynchronous answer (a job is accepted off the loop)
   * followed by one given at once (the list) left Reactor Netty 1.3.7 never reading the connection
   * again, and ControlApiTest's own HttpClient hung that way in CI.
   */
  @Test
  void pipelinedRequests_answered_andTheConnectionReadsOn() throws Exception {
    String body = "{\"image\": \"" + Ec2Emulator.EXAMPLE_IMAGE_ID + "\"}";
    String submit = "POST /v1/encryptions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length() + "\r\n\r\n" + body;
    String list = "GET /v1/encryptions HTTP/1.1\r\nHost: x\r\n\r\n";
    String id;
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", berth.adminAddress().getPort())) {
      socket.setSoTimeout(10_000);
      var in = new java.io.BufferedInputStream(socket.getInputStream());
      socket.getOutputStream().write((submit + list).getBytes(StandardCharsets.ISO_8859_1));
      String accepted = readAnswer(in);
      assertThat(accepted).startsWith("HTTP/1.1 202");
      id = JSON.readTree(accepted.substring(accepted.indexOf("\r\n\r\n"))).path("id").asText();
      assertThat(readAnswer(in)).startsWith("HTTP/1.1 200");
      socket.getOutputStream().write(list.getBytes(StandardCharsets.ISO_8859_1));
      try {
        assertThat(readAnswer(in)).startsWith("HTTP/1.1 200").contains("\"imageId\"");
      } catch (java.net.SocketTimeoutException stalled) {
        throw new AssertionError("the control API stopped reading the connection after a pipelined pair");
      }
    }
    Await.until("the job to end", () -> field("/v1/encryptions/" + id, "state").equals("succeeded"));
  }

  /** One whole answer (head and a Content-Length body) as text. */
  private static String readAnswer(java.io.InputStream in) throws java.io.IOException {
    StringBuilder head = new StringBuilder();
    for (int b; !head.toString().endsWith("\r\n\r\n"); head.append((char) b)) {
      if ((b = in.read()) == -1) {
        throw new java.io.EOFException("the connection closed after: " + head);
      }
    }
    int length = head.toString().lines().filter(line -> line.toLowerCase().startsWith("content-length:"))
        .mapToInt(line -> Integer.parseInt(line.substring(15).trim())).findFirst()
        .orElseThrow(() -> new AssertionError("no Content-Length in " + head));
    return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  @Test
  void encryption_cancelled_cleansUp() throws Exception {
    ec2.close();
    ec2 = null;
    Ec2Emulator slow = Ec2Emulator.builder().copyDuration(Duration.ofMinutes(10)).start();
    Berth other = Berth.builder(ProxyConfig.builder().local(true).region("us-east-1")
            .listen(new InetSocketAddress("127.0.0.1", 0)).adminListen(new InetSocketAddress("127.0.0.1", 0)).build())
        .encryptorStateDirectory(state.resolve("slow")).ec2Endpoint(slow.endpoint())
        .ec2PollInterval(Duration.ofMillis(100)).build();
    other.start().block();
    try {
      String id = JSON.readTree(post(other, "/v1/encryptions", "{\"image\": \"" + Ec2Emulator.EXAMPLE_IMAGE_ID + "\"}"))
          .path("id").asText();
      Await.until("the copy to be under way", () -> !slow.createdResources().isEmpty());
      JsonNode cancelled = JSON.readTree(call(other, "DELETE", "/v1/encryptions/" + id, null).body());
      assertThat(cancelled.path("state").asText()).isEqualTo("cancelled");
      assertThat(cancelled.path("error").isNull()).isTrue();
      assertThat(slow.createdResources()).isEmpty();
    } finally {
      other.stop().block();
      slow.close();
      ec2 = Ec2Emulator.start();
    }
  }

  @Test
  void encryption_badRequests_answered400_withTheField() throws Exception {
    Answer unknown = send("POST", "/v1/encryptions", "{\"image\": \"ami-1\", \"kmsKey\": \"x\"}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().path("code").asText()).isEqualTo("invalid_request");
    assertThat(unknown.json().path("message").asText()).contains("kmsKey");
    Answer noImage = send("POST", "/v1/encryptions", "{}");
    assertThat(noImage.json().path("message").asText()).contains("'image' is required");
    Answer badTimeout = send("POST", "/v1/encryptions", "{\"image\": \"ami-1\", \"timeout\": \"soon\"}");
    assertThat(badTimeout.status()).isEqualTo(400);
    assertThat(badTimeout.json().path("message").asText()).contains("timeout 'soon'");
    assertThat(send("GET", "/v1/encryptions/enc-0000000000000000", null).json().path("code").asText())
        .isEqualTo("encryption_not_found");
    assertThat(send("GET", "/v1/encryptions", null).json()).isEmpty();
  }

  @Test
  void containers_showTheRoleAndReason_andNoSecret() throws Exception {
    // Local mode knows one caller, loopback; its credentials are fetched once it asks.
    get(berth.address(), "/latest/meta-data/iam/security-credentials/berth-local");
    Await.until("the fetch to show", () -> berth.containers().stream()
        .anyMatch(container -> container.credentials().lastRefresh() != null));
    Answer containers = send("GET", "/v1/containers", null);
    assertThat(containers.status()).isEqualTo(200);
    JsonNode first = containers.json().get(0);
    assertThat(first.path("role").asText()).endsWith(":role/berth-local");
    assertThat(first.path("reason").asText()).isEqualTo("default role");
    assertThat(first.path("credentials").path("expiration").asText()).isNotEmpty();
    assertThat(containers.body()).doesNotContain("ASIALOCAL", "SecretAccessKey", "Token");
    List<ContainerDecision> seen = berth.decisions().take(1).collectList().block(Duration.ofSeconds(5));
    assertThat(seen).hasSize(1);
  }

  @Test
  void metrics_everyMeterTheReadmeNames_isServed() throws Exception {
    get(berth.address(), "/latest/meta-data/iam/security-credentials/berth-local");
    send("PUT", "/v1/groups/metered", SPEC.formatted("metered", 1, Ec2Emulator.EXAMPLE_IMAGE_ID));
    String id = send("POST", "/v1/encryptions", "{\"image\": \"" + Ec2Emulator.EXAMPLE_IMAGE_ID + "\"}").json()
        .path("id").asText();
    Await.until("the job to end", () -> field("/v1/encryptions/" + id, "state").equals("succeeded"));
    Await.until("a round's status", () -> !statuses.isEmpty());

    String metrics = get(berth.adminAddress(), "/metrics");
    String readme = Files.readString(Path.of("../README.md"));
    String table = readme.substring(readme.indexOf("<!-- metrics (begin) -->"), readme.indexOf("<!-- metrics (end) -->"));
    List<String> names = table.lines().filter(line -> line.startsWith("| `"))
        // The Docker index's meters exist only with a Docker engine (DaemonIptablesIT has one).
        .filter(line -> !line.contains("(Docker engine only)"))
        .map(line -> line.substring(3, line.indexOf('`', 3)).replaceAll("\\{.*", ""))
        .toList();
    assertThat(names).hasSizeGreaterThan(10);
    assertThat(names).allSatisfy(name -> assertThat(metrics).as("/metrics").containsPattern("(?m)^" + name + "[{ _]"));
  }

  private record Answer(int status, String body) {
    JsonNode json() throws Exception {
      return JSON.readTree(body);
    }
  }

  private Answer send(String method, String path, String body) throws Exception {
    HttpResponse<String> response = call(berth, method, path, body);
    return new Answer(response.statusCode(), response.body());
  }

  private String metrics() {
    try {
      return get(berth.adminAddress(), "/metrics");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private int status(String path) {
    try {
      return send("GET", path, null).status();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String field(String path, String name) {
    try {
      return send("GET", path, null).json().path(name).asText();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String post(Berth daemon, String path, String body) throws Exception {
    return call(daemon, "POST", path, body).body();
  }

  private HttpResponse<String> call(Berth daemon, String method, String path, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.adminAddress().getPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private List<String> serverSentEvents(String path) throws Exception {
    HttpResponse<java.io.InputStream> response = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + berth.adminAddress().getPort() + path)).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
    List<String> events = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      StringBuilder event = new StringBuilder();
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.isEmpty()) {
          if (!event.isEmpty() && !event.toString().startsWith(":")) {
            events.add(event.toString());
          }
          event.setLength(0);
        } else {
          event.append(line).append('\n');
        }
      }
    }
    return events;
  }

  private static String get(InetSocketAddress address, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + path))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
  }
}
