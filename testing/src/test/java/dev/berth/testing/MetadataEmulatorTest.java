package dev.berth.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

final class MetadataEmulatorTest {

  private static final Instant NOW = Instant.parse("2026-03-01T12:34:56Z");
  private static final String TTL = "X-aws-ec2-metadata-token-ttl-seconds";
  private static final String TOKEN = "X-aws-ec2-metadata-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ManualClock clock;
  private MetadataEmulator imds;
  // One connection at most, so consecutive requests must share it when the server keeps it alive.
  private ConnectionProvider pool;

  @BeforeEach
  void start() {
    clock = ManualClock.at(NOW);
    imds = MetadataEmulator.builder().clock(clock).start();
    pool = ConnectionProvider.builder("imds-test").maxConnections(1).build();
  }

  @AfterEach
  void stop() {
    pool.disposeLater().block(Duration.ofSeconds(10));
    imds.close();
  }

  @Test
  void token_put_returnsTokenAndEchoesTtl() {
    Reply reply = send(HttpMethod.PUT, "/latest/api/token", Map.of(TTL, "60"));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.headers().get(TTL)).isEqualTo("60");
    assertThat(reply.headers().get("Content-Type")).isEqualTo("text/plain");
    assertThat(reply.headers().get("Server")).isEqualTo("EC2ws");
    assertThat(reply.text()).matches("[A-Za-z0-9+/=]{56}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "0", "21601", "ten"})
  void token_ttlMissingOrOutOfRange_badRequest(String ttl) {
    Reply reply = send(HttpMethod.PUT, "/latest/api/token", ttl.isEmpty() ? Map.of() : Map.of(TTL, ttl));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.headers().get("Server")).isEqualTo("EC2ws");
  }

  @Test
  void token_get_methodNotAllowed() {
    Reply reply = send(HttpMethod.GET, "/latest/api/token", Map.of(TTL, "60"));

    assertThat(reply.status()).isEqualTo(405);
    assertThat(reply.headers().get("Allow")).isEqualTo("OPTIONS, PUT");
  }

  @Test
  void token_putWithForwardedFor_forbidden() {
    Reply reply = send(HttpMethod.PUT, "/latest/api/token", Map.of(TTL, "60", "X-Forwarded-For", "198.18.0.2"));

    assertThat(reply.status()).isEqualTo(403);
  }

  @Test
  void metaData_listing_namesLeavesAndDirectories() {
    Reply reply = get("/latest/meta-data/");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.text().split("\n"))
        .contains("ami-id", "iam/", "instance-id", "local-ipv4", "placement/", "services/");
    assertThat(reply.text()).doesNotEndWith("\n");
    assertThat(get("/latest/").text()).isEqualTo("dynamic\nmeta-data\nuser-data");
  }

  @Test
  void metaData_leaves_describeTheInstance() {
    InstanceIdentity instance = imds.instance();

    assertThat(get("/latest/meta-data/instance-id").text()).isEqualTo("i-0123456789abcdef0").isEqualTo(instance.instanceId());
    assertThat(get("/latest/meta-data/placement/region").text()).isEqualTo("us-east-1");
    assertThat(get("/latest/meta-data/placement/availability-zone").text()).isEqualTo("us-east-1a");
    assertThat(get("/latest/meta-data/local-ipv4").text()).isEqualTo(instance.localIpv4());
  }

  @Test
  void builder_customInstance_isServed() {
    restart(MetadataEmulator.builder().instanceId("i-0fedcba9876543210").region("eu-west-1").accountId("210987654321"));

    assertThat(get("/latest/meta-data/instance-id").text()).isEqualTo("i-0fedcba9876543210");
    assertThat(get("/latest/meta-data/placement/availability-zone").text()).isEqualTo("eu-west-1a");
    assertThat(get("/latest/meta-data/local-hostname").text()).endsWith(".eu-west-1.compute.internal");
  }

  @Test
  void userData_configured_servedVerbatim() {
    byte[] bytes = {0, 1, 2, (byte) 0xFF, '\n'};
    restart(MetadataEmulator.builder().userData(bytes));

    Reply reply = get("/latest/user-data");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo(bytes);
    assertThat(reply.headers().get("Content-Type")).isEqualTo("application/octet-stream");
  }

  @Test
  void userData_empty_notFound() {
    restart(MetadataEmulator.builder().userData(new byte[0]));

    assertThat(get("/latest/user-data").status()).isEqualTo(404);
  }

  @Test
  void identityDocument_json_namesRegionAccountAndInstance() throws Exception {
    Reply reply = get("/latest/dynamic/instance-identity/document");

    JsonNode document = JSON.readTree(reply.body());
    assertThat(document.get("region").asText()).isEqualTo("us-east-1");
    assertThat(document.get("accountId").asText()).isEqualTo("123456789012");
    assertThat(document.get("instanceId").asText()).isEqualTo("i-0123456789abcdef0");
    assertThat(document.get("availabilityZone").asText()).isEqualTo("us-east-1a");
    assertThat(document.get("privateIp").asText()).isEqualTo(imds.instance().localIpv4());
  }

  @Test
  void hostCredentials_document_isMarkedAsTheHosts() throws Exception {
    assertThat(get("/latest/meta-data/iam/security-credentials/").text()).isEqualTo("host-role");

    JsonNode document = JSON.readTree(get("/latest/meta-data/iam/security-credentials/host-role").body());

    assertThat(document.get("Code").asText()).isEqualTo("Success");
    assertThat(document.get("Type").asText()).isEqualTo("AWS-HMAC");
    assertThat(document.get("AccessKeyId").asText()).isEqualTo(MetadataEmulator.HOST_ACCESS_KEY_ID).startsWith("ASIAHOSTROLE");
    assertThat(document.get("SecretAccessKey").asText()).contains(MetadataEmulator.HOST_MARKER);
    assertThat(document.get("Token").asText()).contains(MetadataEmulator.HOST_MARKER);
    assertThat(Instant.parse(document.get("LastUpdated").asText())).isBeforeOrEqualTo(NOW);
    assertThat(Instant.parse(document.get("Expiration").asText())).isAfter(NOW.plus(Duration.ofHours(5)));
    JsonNode extended = JSON.readTree(get("/latest/meta-data/iam/security-credentials-extended/host-role").body());
    assertThat(extended.get("AccountId").asText()).isEqualTo("123456789012");
    assertThat(imds.requestsUnder("/latest/meta-data/iam/")).isEqualTo(3);
  }

  @Test
  void directory_withoutTrailingSlash_redirects() {
    Reply reply = get("/latest/meta-data/iam/security-credentials");

    assertThat(reply.status()).isEqualTo(301);
    assertThat(reply.headers().get("Location")).isEqualTo("/latest/meta-data/iam/security-credentials/");
  }

  @Test
  void unknownPath_notFoundInPlainText() {
    Reply reply = get("/latest/meta-data/no-such-thing");

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.headers().get("Content-Type")).isEqualTo("text/plain");
    assertThat(reply.headers().get("Server")).isEqualTo("EC2ws");
    assertThat(reply.text()).isEqualTo("404 - Not Found");
  }

  @Test
  void requireToken_withoutToken_unauthorized() {
    imds.requireToken(true);

    assertThat(get("/latest/meta-data/instance-id").status()).isEqualTo(401);
    assertThat(get("/latest/meta-data/no-such-thing").status()).isEqualTo(401);
  }

  @Test
  void requireToken_withValidToken_answers() {
    restart(MetadataEmulator.builder().requireToken(true));
    assertThat(get("/latest/meta-data/instance-id").status()).isEqualTo(401);
    String token = send(HttpMethod.PUT, "/latest/api/token", Map.of(TTL, "21600")).text();

    Reply reply = send(HttpMethod.GET, "/latest/meta-data/instance-id", Map.of(TOKEN, token));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.text()).isEqualTo("i-0123456789abcdef0");
  }

  @Test
  void token_afterItsTtl_unauthorized() {
    imds.requireToken(true);
    String token = send(HttpMethod.PUT, "/latest/api/token", Map.of(TTL, "60")).text();
    clock.advance(Duration.ofSeconds(59));
    assertThat(send(HttpMethod.GET, "/latest/meta-data/instance-id", Map.of(TOKEN, token)).status()).isEqualTo(200);

    clock.advance(Duration.ofSeconds(1));

    assertThat(send(HttpMethod.GET, "/latest/meta-data/instance-id", Map.of(TOKEN, token)).status()).isEqualTo(401);
  }

  @Test
  void token_invalidWhileOptional_unauthorized() {
    assertThat(get("/latest/meta-data/instance-id").status()).isEqualTo(200);

    assertThat(send(HttpMethod.GET, "/latest/meta-data/instance-id", Map.of(TOKEN, "made-up")).status()).isEqualTo(401);
  }

  @Test
  void counters_countPathsHeadersAndRecordTheLastRequest() {
    get("/latest/meta-data/instance-id");
    get("/latest/meta-data/instance-id");
    send(HttpMethod.GET, "/latest/meta-data/local-ipv4?x=1", Map.of("X-Forwarded-For", "198.18.0.7", "X-Trace", "a"));

    assertThat(imds.requests()).isEqualTo(3);
    assertThat(imds.requests("/latest/meta-data/instance-id")).isEqualTo(2);
    assertThat(imds.requests("/latest/meta-data/local-ipv4")).isEqualTo(1);
    assertThat(imds.requestsUnder("/latest/meta-data/")).isEqualTo(3);
    assertThat(imds.requestsWithHeader("x-forwarded-for")).isEqualTo(1);
    assertThat(imds.requestsWithHeader("X-Not-Sent")).isZero();
    RecordedRequest last = imds.lastRequest().orElseThrow();
    assertThat(last.method()).isEqualTo("GET");
    assertThat(last.uri()).isEqualTo("/latest/meta-data/local-ipv4?x=1");
    assertThat(last.path()).isEqualTo("/latest/meta-data/local-ipv4");
    assertThat(last.header("x-forwarded-for")).contains("198.18.0.7");
    assertThat(last.headers().get("X-TRACE")).containsExactly("a");
    assertThat(imds.recordedRequests()).hasSize(3).last().isEqualTo(last);
  }

  @Test
  void connections_keepAliveClient_reusesOneConnection() {
    get("/latest/meta-data/instance-id");
    get("/latest/meta-data/local-ipv4");
    get("/latest/meta-data/no-such-thing");

    assertThat(imds.requests()).isEqualTo(3);
    assertThat(imds.connections()).isEqualTo(1);

    ConnectionProvider second = ConnectionProvider.builder("imds-test-2").maxConnections(1).build();
    try {
      pool.disposeLater().block(Duration.ofSeconds(10));
      pool = second;
      get("/latest/meta-data/instance-id");
    } finally {
      second.disposeLater().block(Duration.ofSeconds(10));
    }
    assertThat(imds.connections()).isEqualTo(2);
  }

  @Test
  void reset_forgetsCountsAndRequests() {
    get("/latest/meta-data/instance-id");

    imds.reset();

    assertThat(imds.requests()).isZero();
    assertThat(imds.requests("/latest/meta-data/instance-id")).isZero();
    assertThat(imds.connections()).isZero();
    assertThat(imds.lastRequest()).isEmpty();
    assertThat(imds.recordedRequests()).isEmpty();
  }

  @Test
  void builder_malformedInstanceSettings_rejectedWithTheSettingsName() {
    assertThatThrownBy(() -> MetadataEmulator.builder().instanceId("instance-1").start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("instanceId must look like i-0123456789abcdef0");
    assertThatThrownBy(() -> MetadataEmulator.builder().region("eu-west-1").availabilityZone("us-east-1a").start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("availabilityZone");
  }

  private void restart(MetadataEmulator.Builder builder) {
    imds.close();
    imds = builder.clock(clock).start();
  }

  private Reply get(String path) {
    return send(HttpMethod.GET, path, Map.of());
  }

  private Reply send(HttpMethod method, String path, Map<String, String> headers) {
    return HttpClient.create(pool)
        .baseUrl(imds.endpoint().toString())
        .headers(h -> headers.forEach(h::set))
        .request(method)
        .uri(path)
        .responseSingle((response, body) -> body.asByteArray()
            .defaultIfEmpty(new byte[0])
            .map(bytes -> new Reply(response.status().code(), response.responseHeaders().copy(), bytes)))
        .block(Duration.ofSeconds(10));
  }

  private record Reply(int status, HttpHeaders headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }
}
