package dev.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.proxy.ProxyHarness.Caller;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code --local}: no Docker engine, no AWS account, and still the whole API for loopback callers. */
final class LocalModeTest {

  private static ProxyConfig localConfig() {
    return new ProxyConfig(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0), null, null,
        Duration.ZERO, null, "com.swipely.iam-docker.iam-profile", null, Pattern.compile(".*"), null, null, Duration.ofHours(1),
        false, false, true, 100, 1);
  }

  @Test
  void local_loopbackCallerGetsMarkedLocalCredentials() throws Exception {
    try (BerthProxy proxy = BerthProxy.start(localConfig())) {
      Caller me = new Caller(ProxyHarness.loopback(1), proxy.address());
      assertThat(me.get("/latest/meta-data/iam/security-credentials/").body()).isEqualTo("berth-local");
      JsonNode doc = new ObjectMapper().readTree(me.get("/latest/meta-data/iam/security-credentials/berth-local").body());
      assertThat(doc.get("AccessKeyId").asText()).startsWith("ASIALOCAL").hasSize(20);
      assertThat(me.get("/latest/meta-data/placement/region").body()).isEqualTo("us-east-1");
      assertThat(me.get("/latest/dynamic/instance-identity/document").body()).contains("\"accountId\" : \"000000000000\"");
    }
  }

  @Test
  void local_defaultRoleNamesTheRole() {
    ProxyConfig base = localConfig();
    ProxyConfig withRole = new ProxyConfig(base.listen(), base.adminListen(), null, null, Duration.ZERO, "my-app", base.roleLabel(),
        null, base.allowedRoles(), null, null, base.sessionDuration(), false, false, true, 100, 1);
    try (BerthProxy proxy = BerthProxy.start(withRole)) {
      Caller me = new Caller(ProxyHarness.loopback(1), proxy.address());
      assertThat(me.get("/latest/meta-data/iam/security-credentials/").body()).isEqualTo("my-app");
    }
  }
}
