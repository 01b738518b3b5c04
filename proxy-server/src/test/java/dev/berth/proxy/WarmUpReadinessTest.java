package dev.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.proxy.credentials.CredentialException;
import dev.berth.proxy.credentials.Credentials;
import dev.berth.testing.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * {@code /readyz} says ready only once the request path has been exercised: the warm-up's requests
 * to a loopback copy of the metadata server have been answered (or the warm-up gave up).
 */
final class WarmUpReadinessTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static ProxyConfig localConfig() {
    return new ProxyConfig(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0), null, null,
        Duration.ZERO, null, "com.swipely.iam-docker.iam-profile", null, Pattern.compile(".*"), null, null,
        Duration.ofHours(1), false, false, true, 100, 1);
  }

  @Test
  void readyz_notReadyUntilTheWarmUpHasBeenAnswered() {
    // The warm-up's synthetic caller waits for its credentials until the test hands them over.
    Sinks.One<Credentials> handedOver = Sinks.one();
    try (BerthProxy proxy = BerthProxy.builder(localConfig()).warmUpCredentials(binding -> handedOver.asMono()).start()) {
      // Local mode's index is filled at once: only the warm-up is left.
      assertThat(get(proxy.adminAddress(), "/readyz").statusCode()).isEqualTo(503);
      assertThat(warmUpRequests(proxy)).isZero();

      Instant now = Instant.now();
      handedOver.tryEmitValue(new Credentials("ASIAWARMUPTEST000000", "secret", "token", now.plusSeconds(3600), now,
          "000000000000"));
      Await.until("/readyz answers 200", () -> get(proxy.adminAddress(), "/readyz").statusCode() == 200);
      assertThat(warmUpRequests(proxy)).as("answered before ready").isEqualTo(15);
      // Its requests are not the containers': the daemon's request counts stay empty.
      assertThat(proxy.scrapeMetrics()).doesNotContain("berth_requests_total{");
    }
  }

  @Test
  void readyz_readyEvenWhenTheWarmUpFails() {
    try (BerthProxy proxy = BerthProxy.builder(localConfig())
        .warmUpCredentials(binding -> Mono.error(new CredentialException("AccessDenied", "no", false))).start()) {
      Await.until("/readyz answers 200", () -> get(proxy.adminAddress(), "/readyz").statusCode() == 200);
      assertThat(warmUpRequests(proxy)).isZero();
    }
  }

  private static double warmUpRequests(BerthProxy proxy) {
    return proxy.scrapeMetrics().lines().filter(line -> line.startsWith("berth_warmup_requests_total "))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.indexOf(' ') + 1))).findFirst()
        .orElseThrow(() -> new AssertionError("no berth_warmup_requests_total in /metrics"));
  }

  private static HttpResponse<String> get(InetSocketAddress admin, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + path)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
