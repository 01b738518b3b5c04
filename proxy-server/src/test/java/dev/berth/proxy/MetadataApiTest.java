package dev.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.proxy.ProxyHarness.Caller;
import dev.berth.proxy.ProxyHarness.Reply;
import dev.berth.proxy.docker.Container;
import dev.berth.testing.Await;
import dev.berth.testing.MetadataEmulator;
import dev.berth.testing.StsEmulator;
import io.netty.handler.codec.http.HttpMethod;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;

/** The metadata API as SDKs see it, served by a whole proxy over real HTTP with STS and IMDS emulators behind it. */
final class MetadataApiTest {

  private static final String CREDS = "/latest/meta-data/iam/security-credentials/";
  private static final String EXTENDED = "/latest/meta-data/iam/security-credentials-extended/";
  private static final String TTL = "X-aws-ec2-metadata-token-ttl-seconds";
  private static final String TOKEN = "X-aws-ec2-metadata-token";
  private static final ObjectMapper json = new ObjectMapper();

  private ProxyHarness harness;
  private Caller web;

  @BeforeEach
  void start() {
    harness = ProxyHarness.start();
    harness.container(10, "web", Map.of("com.swipely.iam-docker.iam-profile", "web-role"), Map.of());
    harness.container(11, "no-role", Map.of(), Map.of());
    web = harness.from(10);
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void token_put_issuesTokenAndEchoesTtl() {
    Reply reply = web.put("/latest/api/token", TTL, "21600");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.headers().get(TTL)).isEqualTo("21600");
    assertThat(reply.headers().get("Server")).isEqualTo("EC2ws");
    assertThat(web.get(CREDS, TOKEN, reply.body()).body()).isEqualTo("web-role");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "21601", "-1", "abc", "", "99999999999"})
  void token_badTtl_400(String ttl) {
    assertThat(web.put("/latest/api/token", TTL, ttl).status()).isEqualTo(400);
  }

  @Test
  void token_missingTtl_400() {
    assertThat(web.put("/latest/api/token").status()).isEqualTo(400);
  }

  @Test
  void token_forwarded_403() {
    assertThat(web.put("/latest/api/token", TTL, "60", "X-Forwarded-For", "203.0.113.9").status()).isEqualTo(403);
  }

  @Test
  void token_get_405WithAllow() {
    Reply reply = web.get("/latest/api/token");
    assertThat(reply.status()).isEqualTo(405);
    assertThat(reply.headers().get("Allow")).isEqualTo("OPTIONS, PUT");
  }

  @Test
  void token_ofAnotherContainer_401() {
    harness.container(12, "other", Map.of(), Map.of("IAM_ROLE", "other-role"));
    String othersToken = harness.from(12).put("/latest/api/token", TTL, "60").body();
    assertThat(web.get(CREDS, TOKEN, othersToken).status()).isEqualTo(401);
  }

  @Test
  void token_garbage_401EvenWhenOptional() {
    assertThat(web.get(CREDS, TOKEN, "garbage").status()).isEqualTo(401);
  }

  @Test
  void list_roleNameWithoutNewline() {
    Reply reply = web.get(CREDS);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("web-role");
    assertThat(reply.headers().get("Server")).isEqualTo("EC2ws");
    assertThat(reply.headers().get("Content-Type")).isEqualTo("text/plain");
  }

  @Test
  void list_withoutSlash_301() {
    Reply reply = web.get("/latest/meta-data/iam/security-credentials");
    assertThat(reply.status()).isEqualTo(301);
    assertThat(reply.headers().get("Location")).isEqualTo(CREDS);
  }

  @Test
  void document_isTheContainersRole() throws Exception {
    Instant before = Instant.now();
    Reply reply = web.get(CREDS + "web-role");
    assertThat(reply.status()).isEqualTo(200);
    JsonNode doc = json.readTree(reply.body());
    assertThat(fieldNames(doc))
        .containsExactly("Code", "LastUpdated", "Type", "AccessKeyId", "SecretAccessKey", "Token", "Expiration");
    assertThat(doc.get("Code").asText()).isEqualTo("Success");
    assertThat(doc.get("Type").asText()).isEqualTo("AWS-HMAC");
    assertThat(doc.get("Expiration").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    assertThat(Instant.parse(doc.get("Expiration").asText())).isAfter(before.plus(Duration.ofMinutes(30)));
    StsEmulator.Issued issued = harness.sts.issued(doc.get("AccessKeyId").asText()).orElseThrow();
    assertThat(issued.roleArn()).isEqualTo(ProxyHarness.BASE_ARN + "web-role");
    assertThat(issued.sessionName()).isEqualTo("web");
    assertThat(doc.get("SecretAccessKey").asText()).isEqualTo(issued.secretAccessKey());
    assertThat(doc.get("Token").asText()).isEqualTo(issued.sessionToken());
  }

  @Test
  void document_otherName_404() {
    assertThat(web.get(CREDS + "someone-else").status()).isEqualTo(404);
    assertThat(web.get(CREDS + "web-role/extra").status()).isEqualTo(404);
  }

  @Test
  void extended_addsAccountId() throws Exception {
    assertThat(web.get(EXTENDED).body()).isEqualTo("web-role");
    JsonNode doc = json.readTree(web.get(EXTENDED + "web-role").body());
    assertThat(doc.get("AccountId").asText()).isEqualTo(StsEmulator.DEFAULT_ACCOUNT_ID);
    assertThat(doc.get("Code").asText()).isEqualTo("Success");
  }

  @Test
  void info_derivedFromRole() throws Exception {
    Reply reply = web.get("/latest/meta-data/iam/info");
    assertThat(reply.status()).isEqualTo(200);
    JsonNode doc = json.readTree(reply.body());
    assertThat(doc.get("InstanceProfileArn").asText())
        .isEqualTo("arn:aws:iam::" + StsEmulator.DEFAULT_ACCOUNT_ID + ":instance-profile/web-role");
    assertThat(doc.get("InstanceProfileId").asText()).matches("AIPA[A-Z2-7]{17}");
  }

  @Test
  void unknownCaller_404AndNoStsCall() {
    web.get(CREDS + "web-role"); // settles web's own prefetch
    int before = harness.sts.assumeRoleCalls();
    Caller stranger = harness.from(99);
    assertThat(stranger.get(CREDS).status()).isEqualTo(404);
    assertThat(stranger.get(CREDS + "web-role").status()).isEqualTo(404);
    assertThat(harness.sts.assumeRoleCalls()).isEqualTo(before);
  }

  @Test
  void containerWithoutRole_404() {
    assertThat(harness.from(11).get(CREDS).status()).isEqualTo(404);
    assertThat(harness.from(11).get("/latest/meta-data/iam/info").status()).isEqualTo(404);
  }

  @Test
  void thousandConcurrentFirstRequests_oneAssumeRole() {
    // One container on as many connections as it likes: this is about STS calls, not the per-caller limit.
    harness.close();
    harness = ProxyHarness.start(10_000, 1_000, 32, null);
    harness.container(10, "web", Map.of("com.swipely.iam-docker.iam-profile", "web-role"), Map.of());
    web = harness.from(10);
    List<Integer> statuses = Flux.range(0, 1000)
        .flatMap(i -> web.sendAsync(HttpMethod.GET, CREDS + "web-role"), 1000)
        .map(Reply::status)
        .collectList()
        .block(Duration.ofSeconds(60));
    assertThat(statuses).hasSize(1000).containsOnly(200);
    assertThat(harness.sts.assumeRoleCalls()).isEqualTo(1);
  }

  @Test
  void stoppedContainer_notRetainedByTheProxy() {
    WeakReference<Container> stopped = new WeakReference<>(
        harness.container(30, "short-lived", Map.of("com.swipely.iam-docker.iam-profile", "web-role"), Map.of()));
    assertThat(harness.from(30).get("/latest/meta-data/iam/security-credentials/web-role").status()).isEqualTo(200);
    harness.containers.remove(stopped.get());
    // An event loop may still reference its last exchange until it serves the next one (bounded by the
    // loop count, not a leak); other containers' requests move every loop on.
    for (int i = 0; i < 10; i++) {
      assertThat(web.get("/latest/meta-data/iam/security-credentials/web-role").status()).isEqualTo(200);
    }

    Await.until("the stopped container to be collected", () -> {
      System.gc();
      return stopped.get() == null;
    });
  }

  @Test
  void prefetch_containerStart_credentialsFetchedBeforeFirstRequest() {
    harness.container(13, "fresh", Map.of(), Map.of("IAM_ROLE", "fresh-role"));
    Await.until("the prefetch reaches STS", () -> harness.sts.assumeRoleCalls(ProxyHarness.BASE_ARN + "fresh-role") == 1);
    harness.from(13).get(CREDS + "fresh-role");
    assertThat(harness.sts.assumeRoleCalls(ProxyHarness.BASE_ARN + "fresh-role")).isEqualTo(1);
  }

  @Test
  void stsAccessDenied_500AndCachedBriefly() {
    harness.sts.faults().denyRole(".*:role/denied-role");
    harness.container(14, "denied", Map.of(), Map.of("IAM_ROLE", "denied-role"));
    Caller denied = harness.from(14);
    Reply reply = denied.get(CREDS + "denied-role");
    assertThat(reply.status()).isEqualTo(500);
    denied.get(CREDS + "denied-role");
    assertThat(harness.sts.assumeRoleCalls(ProxyHarness.BASE_ARN + "denied-role")).isEqualTo(1);
  }

  @Test
  void stsThrottled_sdkRetriesAndTheCallerStillGetsCredentials() {
    web.get(CREDS + "web-role"); // web's own prefetch is done: the faults below are for the new role alone
    harness.sts.faults().next(2, StsEmulator.Fault.THROTTLING);
    harness.container(16, "throttled", Map.of(), Map.of("IAM_ROLE", "throttled-role"));
    Reply reply = harness.from(16).get(CREDS + "throttled-role");
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(harness.sts.assumeRoleCalls(ProxyHarness.BASE_ARN + "throttled-role")).isEqualTo(3);
  }

  @Test
  void passThrough_fromUpstreamWithProxysOwnToken() {
    Reply reply = web.get("/latest/meta-data/instance-id", "X-Forwarded-For", "203.0.113.9");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo(harness.upstream.instance().instanceId());
    assertThat(reply.headers().get("Server")).isEqualTo("EC2ws");
    assertThat(harness.upstream.requestsWithHeader("X-Forwarded-For")).isZero();
    assertThat(harness.upstream.lastRequest().orElseThrow().headers()).containsKey(TOKEN.toLowerCase());
  }

  @Test
  void passThrough_reusesConnections() {
    for (int i = 0; i < 50; i++) {
      assertThat(web.get("/latest/meta-data/local-ipv4").status()).isEqualTo(200);
    }
    assertThat(harness.upstream.connections()).isLessThanOrEqualTo(2);
  }

  @Test
  void passThrough_answerCache_manyContainersAskingTheSamePath_oneUpstreamRequest() {
    try (ProxyHarness cached = ProxyHarness.start(false, false, 100, Duration.ofMinutes(1))) {
      cached.container(20, "a", Map.of(), Map.of());
      cached.container(21, "b", Map.of(), Map.of());
      for (int i = 0; i < 20; i++) {
        for (Caller caller : List.of(cached.from(20), cached.from(21))) {
          Reply reply = caller.get("/latest/meta-data/instance-id");
          assertThat(reply.status()).isEqualTo(200);
          assertThat(reply.body()).isEqualTo(cached.upstream.instance().instanceId());
        }
      }
      assertThat(cached.from(20).get("/latest/meta-data/placement/region").body()).isEqualTo("us-east-1");
      assertThat(cached.upstream.requests("/latest/meta-data/instance-id")).isEqualTo(1);
      assertThat(cached.upstream.requests("/latest/meta-data/placement/region")).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/latest/meta-data/iam/security-credentials/host-role",
      "/latest/meta-data/IAM/security-credentials/host-role",
      "/latest/meta-data/%69am/security-credentials/host-role",
      "/latest/meta-data/x/../iam/security-credentials/host-role",
      "//latest/meta-data//iam/security-credentials/host-role",
      "/2021-07-15/meta-data/iam/security-credentials/host-role",
      "/latest/meta-data/identity-credentials/ec2/security-credentials/ec2-instance",
  })
  void hostCredentials_neverForwarded(String uri) {
    Reply reply = web.get(uri);
    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.body()).doesNotContain(MetadataEmulator.HOST_MARKER);
    assertThat(harness.upstream.requestsUnder("/latest/meta-data/iam")).isZero();
    assertThat(harness.upstream.requestsUnder("/latest/meta-data/identity-credentials")).isZero();
  }

  @Test
  void unknownMethod_405() {
    Reply reply = web.send(HttpMethod.POST, CREDS);
    assertThat(reply.status()).isEqualTo(405);
    assertThat(web.send(HttpMethod.valueOf("BREW"), "/latest/meta-data/").status()).isEqualTo(405);
  }

  @Test
  void head_noBody() {
    Reply reply = web.send(HttpMethod.HEAD, CREDS);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEmpty();
  }

  @Test
  void metrics_countRequestsAndStsCalls() {
    web.get(CREDS + "web-role");
    // The counter moves when the response is complete on the server's side, a moment after the client has it.
    Await.until("the request is counted",
        () -> harness.proxy.scrapeMetrics().contains("berth_requests_total{route=\"iam\",status=\"200\"} 1.0"));
    String metrics = harness.proxy.scrapeMetrics();
    assertThat(metrics).contains("berth_sts_calls_total{outcome=\"success\"} 1.0");
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
