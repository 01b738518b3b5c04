package dev.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.proxy.ProxyHarness.Caller;
import dev.berth.proxy.ProxyHarness.Reply;
import dev.berth.testing.StsEmulator;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a container is told when it gets no credentials: the real service's 404 for a role it may
 * not have, and for STS failures a short answer it can act on — never STS's error text, its
 * endpoint or the host's own role.
 */
final class RefusalAnswersTest {

  private static final String CREDS = "/latest/meta-data/iam/security-credentials/";
  private static final String LABEL = "com.swipely.iam-docker.iam-profile";

  private ProxyHarness harness;

  @BeforeEach
  void start() {
    harness = ProxyHarness.start();
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void roleLabelWithDotDotPath_404AndNoStsCall() {
    harness.container(20, "sneaky", Map.of(LABEL, "app-x/../admin"), Map.of());
    Caller sneaky = harness.from(20);
    assertThat(sneaky.get(CREDS).status()).isEqualTo(404);
    assertThat(sneaky.get(CREDS + "admin").status()).isEqualTo(404);
    assertThat(sneaky.get(CREDS + "app-x/../admin").status()).isEqualTo(404);
    assertThat(harness.sts.assumeRoleCalls()).isZero();
  }

  @Test
  void accessDenied_500WithoutStsDetail() {
    // Faults first: the container's prefetch starts as soon as it is known.
    harness.sts.faults().denyRole(".*:role/forbidden-role");
    harness.container(21, "denied", Map.of(LABEL, "forbidden-role"), Map.of());
    Reply reply = harness.from(21).get(CREDS + "forbidden-role");
    assertThat(reply.status()).isEqualTo(500);
    assertThat(reply.body()).isEqualTo("Credentials unavailable: this container's role cannot be assumed; "
        + "the host's operator can see why in the Berth log");
    assertNothingInternal(reply.body());
  }

  @Test
  void stsUnavailable_503RetryWithoutStsDetail() {
    harness.sts.faults().next(20, StsEmulator.Fault.UNAVAILABLE);
    harness.container(22, "web", Map.of(LABEL, "web-role"), Map.of());
    Reply reply = harness.from(22).get(CREDS + "web-role");
    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.body()).isEqualTo("Credentials temporarily unavailable, retry");
    assertNothingInternal(reply.body());
  }

  private void assertNothingInternal(String body) {
    assertThat(body)
        .doesNotContain(harness.sts.callerArn())
        .doesNotContain(Integer.toString(harness.sts.endpoint().getPort()))
        .doesNotContain("arn:")
        .doesNotContain("STS")
        .doesNotContain("AssumeRole")
        .doesNotContain("AccessDenied")
        .doesNotContain("ServiceUnavailable");
  }
}
