package dev.berth.proxy;

import dev.berth.proxy.credentials.CredentialCache;
import dev.berth.proxy.credentials.CredentialSource;
import dev.berth.proxy.docker.Container;
import dev.berth.proxy.docker.StaticContainerIndex;
import dev.berth.proxy.http.MetadataHandler;
import dev.berth.proxy.http.Upstream;
import dev.berth.proxy.local.LocalMode;
import dev.berth.proxy.policy.RolePolicy;
import dev.berth.proxy.token.TokenIssuer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/*
 * Design notes. A cold JVM answers its first credential request in tens to hundreds of milliseconds:
 * the HTTP codec, the handler, the caches, the JSON writer, java.time's formatters and every lambda
 * on the way are loaded, linked and initialised by that request. The warm-up pays for that before
 * /readyz says ready, with the same classes on the same loop: a second server made exactly like the
 * metadata server (same codec limits, same connection guard), bound to an ephemeral loopback port,
 * whose handler is a MetadataHandler over its own parts: one synthetic container for loopback
 * callers, local credentials (never STS), no upstream (nothing leaves the machine), its own meter
 * registry (the daemon's request counts stay the containers'). It is a separate server rather than
 * the real one because the real index may hold a container at 127.0.0.1, and because no caller of
 * the real server, synthetic or not, may ever get credentials it does not own. A plain blocking
 * socket asks, off the loop, what an SDK asks: a token, the role listing, the credential document
 * (with and without the token), the extended document.
 */

/** Requests sent to a copy of the metadata server on loopback, before the proxy says it is ready. */
final class WarmUp {

  /** The synthetic caller's role. */
  static final String ROLE = "berth-warm-up";
  /** A warm-up that has not finished by then is abandoned: the proxy becomes ready without it. */
  static final Duration LIMIT = Duration.ofSeconds(10);
  private static final int ROUNDS = 3;
  private static final String CREDENTIALS = "/latest/meta-data/iam/security-credentials/";

  private WarmUp() {}

  /**
   * Binds a copy of {@code server} on loopback, sends it the warm-up requests and releases it;
   * completes with the number of requests answered as a container's would be. Blocks: subscribe off the loop.
   */
  static Mono<Integer> run(HttpServer server, CredentialSource credentials, Clock clock) {
    return Mono.fromCallable(() -> {
      Container caller = new Container(ROLE, ROLE, "warm-up", Map.of(), Map.of(), Set.of());
      RolePolicy policy = new RolePolicy(RolePolicy.Settings.defaults().withDefaultRole(ROLE)
          .withBaseRoleArn(LocalMode.BASE_ROLE_ARN));
      PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      try (StaticContainerIndex index = new StaticContainerIndex(InetAddress::isLoopbackAddress, caller)) {
        CredentialCache cache = CredentialCache.caffeine(credentials, CredentialCache.Settings.defaults(), clock, meters);
        MetadataHandler handler = MetadataHandler.builder().containers(index).policy(policy).credentials(cache)
            .tokens(TokenIssuer.withRandomKey(clock)).upstream(Upstream.disabled()).meters(meters).build();
        DisposableServer copy = server.handle(handler)
            .bindAddress(() -> new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).bindNow();
        try {
          return ask((InetSocketAddress) copy.address());
        } finally {
          copy.disposeNow(Duration.ofSeconds(5));
        }
      } finally {
        meters.close();
      }
    }).subscribeOn(Schedulers.boundedElastic());
  }

  /** The credentials the synthetic caller gets: local, random, and rejected by AWS. */
  static CredentialSource localCredentials(Duration sessionDuration, Clock clock) {
    return LocalMode.issuer(sessionDuration, clock);
  }

  private static int ask(InetSocketAddress server) throws IOException {
    int answered = 0;
    for (int round = 0; round < ROUNDS; round++) {
      // A new connection each round: accepting and the connection guard are on the path too.
      try (Socket socket = new Socket(server.getAddress(), server.getPort())) {
        socket.setSoTimeout((int) LIMIT.toMillis());
        OutputStream out = socket.getOutputStream();
        InputStream in = new BufferedInputStream(socket.getInputStream());
        String token = expect(200, "PUT", "/latest/api/token", "X-aws-ec2-metadata-token-ttl-seconds: 21600", out, in);
        String withToken = "X-aws-ec2-metadata-token: " + token;
        expect(200, "GET", CREDENTIALS, withToken, out, in);
        String document = expect(200, "GET", CREDENTIALS + ROLE, withToken, out, in);
        if (!document.contains("\"AccessKeyId\"")) {
          throw new IllegalStateException("the warm-up's credential document has no AccessKeyId");
        }
        expect(200, "GET", CREDENTIALS + ROLE, null, out, in);
        expect(200, "GET", "/latest/meta-data/iam/security-credentials-extended/" + ROLE, withToken, out, in);
        answered += 5;
      }
    }
    return answered;
  }

  /** Sends one request on the keep-alive connection and returns the body of its answer, which must have {@code status}. */
  private static String expect(int status, String method, String path, String header, OutputStream out, InputStream in)
      throws IOException {
    String request = method + " " + path + " HTTP/1.1\r\nHost: 169.254.169.254\r\nUser-Agent: berth-warm-up\r\n"
        + (header == null ? "" : header + "\r\n") + "\r\n";
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String statusLine = line(in);
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[1].equals(Integer.toString(status))) {
      throw new IllegalStateException("warm-up " + method + " " + path + ": expected " + status + ", got '" + statusLine + "'");
    }
    int length = 0;
    for (String h = line(in); !h.isEmpty(); h = line(in)) {
      if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(h.substring("content-length:".length()).trim());
      }
    }
    byte[] body = in.readNBytes(length);
    if (body.length < length) {
      throw new UncheckedIOException(new IOException("warm-up " + path + ": answer cut short"));
    }
    return new String(body, StandardCharsets.UTF_8);
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("warm-up: connection closed mid-answer");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }
}
