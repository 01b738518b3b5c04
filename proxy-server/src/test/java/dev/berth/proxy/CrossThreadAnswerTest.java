package dev.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.proxy.credentials.Credentials;
import dev.berth.testing.Await;
import java.io.IOException;
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

/**
 * Credentials that arrive on another thread than the caller's connection (an STS client on another
 * loop, an embedder's source) are answered, and the keep-alive connection goes on answering. The
 * vehicle is the warm-up: three keep-alive connections of five requests each, sent back to back,
 * whose first credential request waits for credentials that a timer thread hands over.
 */
final class CrossThreadAnswerTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  /** About one start in ten stalled before the fix: 60 starts miss it with a chance of about 1 in 1,000. */
  private static final int STARTS = 60;

  @Test
  void credentialsFromAnotherThread_everyRequestOnTheConnectionAnswered() throws Exception {
    int warmedUp = 0;
    for (int start = 0; start < STARTS; start++) {
      Instant now = Instant.now();
      Credentials credentials = new Credentials("ASIACROSSTHREAD00000", "secret", "token", now.plusSeconds(3600), now,
          "000000000000");
      Duration delay = Duration.ofMillis(start % 5);
      try (BerthProxy proxy = BerthProxy.builder(localConfig())
          .warmUpCredentials(binding -> Mono.delay(delay).thenReturn(credentials)).start()) {
        // Ready once the warm-up has ended: all its requests answered, or given up after WarmUp.LIMIT.
        Await.until("/readyz answers 200", () -> readyz(proxy.adminAddress()) == 200);
        if (proxy.scrapeMetrics().contains("berth_warmup_requests_total 15.0")) {
          warmedUp++;
        }
      }
    }
    assertThat(warmedUp).as("starts whose 15 warm-up requests were all answered").isEqualTo(STARTS);
  }

  private static ProxyConfig localConfig() {
    return new ProxyConfig(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0), null, null,
        Duration.ZERO, null, "com.swipely.iam-docker.iam-profile", null, Pattern.compile(".*"), null, null,
        Duration.ofHours(1), false, false, true, 100, 1);
  }

  private static int readyz(InetSocketAddress admin) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + "/readyz")).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
