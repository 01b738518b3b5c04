package dev.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.proxy.ProxyHarness.Caller;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Options that change the API: IMDSv2 required, pass-through disabled. */
final class ImdsPolicyTest {

  private static final String CREDS = "/latest/meta-data/iam/security-credentials/";

  @Test
  void imdsv2Required_tokenlessGet401_tokenGetWorks() {
    try (ProxyHarness harness = ProxyHarness.start(true, false, 100)) {
      harness.container(10, "web", Map.of(), Map.of("IAM_ROLE", "web-role"));
      Caller web = harness.from(10);
      assertThat(web.get(CREDS).status()).isEqualTo(401);
      assertThat(web.get("/latest/meta-data/instance-id").status()).isEqualTo(401);
      String token = web.put("/latest/api/token", "X-aws-ec2-metadata-token-ttl-seconds", "60").body();
      assertThat(web.get(CREDS, "X-aws-ec2-metadata-token", token).body()).isEqualTo("web-role");
    }
  }

  @Test
  void upstreamDisabled_otherPaths404_iamStillAnswered() {
    try (ProxyHarness harness = ProxyHarness.start(false, true, 100)) {
      harness.container(10, "web", Map.of(), Map.of("IAM_ROLE", "web-role"));
      Caller web = harness.from(10);
      assertThat(web.get("/latest/user-data").status()).isEqualTo(404);
      assertThat(web.get("/latest/meta-data/instance-id").status()).isEqualTo(404);
      assertThat(harness.upstream.requests()).isZero();
      assertThat(web.get(CREDS).body()).isEqualTo("web-role");
    }
  }
}
