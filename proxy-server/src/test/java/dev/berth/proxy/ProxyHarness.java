package dev.berth.proxy;

import dev.berth.proxy.docker.Container;
import dev.berth.proxy.docker.StaticContainerIndex;
import dev.berth.testing.MetadataEmulator;
import dev.berth.testing.StsEmulator;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * A proxy on loopback with real STS and metadata emulators behind it and containers given by the
 * test: each container is a loopback address (127.0.0.N), so a test can call as any of them.
 */
final class ProxyHarness implements AutoCloseable {

  static final String BASE_ARN = "arn:aws:iam::" + StsEmulator.DEFAULT_ACCOUNT_ID + ":role/";

  final StsEmulator sts;
  final MetadataEmulator upstream;
  final StaticContainerIndex containers;
  final BerthProxy proxy;

  private ProxyHarness(StsEmulator sts, MetadataEmulator upstream, StaticContainerIndex containers, BerthProxy proxy) {
    this.sts = sts;
    this.upstream = upstream;
    this.containers = containers;
    this.proxy = proxy;
  }

  static ProxyHarness start() {
    return start(false, false, 10_000);
  }

  static ProxyHarness start(boolean tokenRequired, boolean disableUpstream, int maxConnections) {
    return start(tokenRequired, disableUpstream, maxConnections, Duration.ZERO);
  }

  /** With {@code upstreamCache} zero (as the other starters), every pass-through request reaches the emulator. */
  static ProxyHarness start(boolean tokenRequired, boolean disableUpstream, int maxConnections, Duration upstreamCache) {
    StsEmulator sts = StsEmulator.start();
    MetadataEmulator upstream = MetadataEmulator.start();
    StaticContainerIndex containers = new StaticContainerIndex();
    ProxyConfig config = config("unix:///nonexistent.sock", sts, disableUpstream ? null : upstream.endpoint(),
        upstreamCache, tokenRequired, maxConnections);
    BerthProxy proxy = BerthProxy.builder(config).containers(containers).start();
    return new ProxyHarness(sts, upstream, containers, proxy);
  }

  /**
   * A proxy with the given limits; pass-through goes to {@code upstream} when it is not null, else to
   * the metadata emulator (uncached).
   */
  static ProxyHarness start(int maxConnections, int maxConnectionsPerCaller, int maxForwardedPerCaller,
      dev.berth.proxy.http.Upstream upstream) {
    StsEmulator sts = StsEmulator.start();
    MetadataEmulator emulator = MetadataEmulator.start();
    StaticContainerIndex containers = new StaticContainerIndex();
    ProxyConfig config = config("unix:///nonexistent.sock", sts, emulator.endpoint(), Duration.ZERO, false, maxConnections)
        .withCallerLimits(maxConnectionsPerCaller, maxForwardedPerCaller);
    BerthProxy.Builder builder = BerthProxy.builder(config).containers(containers);
    if (upstream != null) {
      builder.upstream(upstream);
    }
    return new ProxyHarness(sts, emulator, containers, builder.start());
  }

  /**
   * The harness's settings: loopback listeners on free ports, roles under {@link #BASE_ARN} named
   * by the iam-docker label or {@code IAM_ROLE}, credentials from {@code sts}.
   */
  static ProxyConfig config(String dockerHost, StsEmulator sts, URI upstream, Duration upstreamCache,
      boolean tokenRequired, int maxConnections) {
    return new ProxyConfig(
        new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0),
        dockerHost,
        upstream,
        upstreamCache,
        null,
        "com.swipely.iam-docker.iam-profile",
        BASE_ARN,
        Pattern.compile(".*"),
        "us-east-1",
        sts.endpoint(),
        Duration.ofHours(1),
        tokenRequired,
        false,
        false,
        maxConnections,
        // Two loops, unlike the daemon's default of one: answers then also cross loops (a cached
        // upstream answer or credential fetched on one loop, awaited on another), as with --io-threads 2.
        2);
  }

  /** Registers a running container at 127.0.0.{@code n}. */
  Container container(int n, String name, Map<String, String> labels, Map<String, String> env) {
    InetAddress address = loopback(n);
    Container container = new Container("c" + n + "0123456789abcdef", "/" + name, "busybox", labels, env, Set.of(address));
    containers.put(container);
    return container;
  }

  static InetAddress loopback(int n) {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) n});
    } catch (java.net.UnknownHostException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  /** A raw connection to the proxy from 127.0.0.{@code n}, reads timing out after 15 s. */
  java.net.Socket socketFrom(int n) throws java.io.IOException {
    java.net.Socket socket = new java.net.Socket();
    socket.bind(new InetSocketAddress(loopback(n), 0));
    socket.connect(proxy.address(), 5_000);
    socket.setSoTimeout(15_000);
    return socket;
  }

  /** The next response head read from {@code in} (through its blank line), or what came before the end of the stream. */
  static String readHead(java.io.InputStream in) throws java.io.IOException {
    StringBuilder head = new StringBuilder();
    for (int b; !head.toString().endsWith("\r\n\r\n") && (b = in.read()) != -1; ) {
      head.append((char) b);
    }
    return head.toString();
  }

  /** An HTTP client that calls from 127.0.0.{@code n}. */
  Caller from(int n) {
    return new Caller(loopback(n), proxy.address());
  }

  @Override
  public void close() {
    proxy.close();
    upstream.close();
    sts.close();
  }

  /** A response as a client saw it. */
  record Reply(int status, HttpHeaders headers, String body) {}

  /** Makes requests to the proxy from one source address. */
  static final class Caller {
    private final HttpClient client;

    Caller(InetAddress source, InetSocketAddress proxy) {
      this.client = HttpClient.create(ConnectionProvider.newConnection())
          .bindAddress(() -> new InetSocketAddress(source, 0))
          .remoteAddress(() -> proxy)
          .responseTimeout(Duration.ofSeconds(10));
    }

    Reply get(String uri, String... headers) {
      return send(HttpMethod.GET, uri, headers);
    }

    Reply put(String uri, String... headers) {
      return send(HttpMethod.PUT, uri, headers);
    }

    Mono<Reply> sendAsync(HttpMethod method, String uri, String... headers) {
      return client
          .headers(h -> {
            for (int i = 0; i < headers.length; i += 2) {
              h.add(headers[i], headers[i + 1]);
            }
          })
          .request(method)
          .uri(uri)
          .responseSingle((response, body) -> body.asString(StandardCharsets.UTF_8).defaultIfEmpty("")
              .map(text -> new Reply(response.status().code(), response.responseHeaders(), text)));
    }

    Reply send(HttpMethod method, String uri, String... headers) {
      return sendAsync(method, uri, headers).block(Duration.ofSeconds(15));
    }
  }
}
