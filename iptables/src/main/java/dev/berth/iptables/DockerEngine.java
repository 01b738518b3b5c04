package dev.berth.iptables;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.resolver.NoopAddressResolverGroup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.HttpResources;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/*
 * Design notes. Berth reads three things from the Engine API: the running containers, a container
 * by id, the networks, and the events stream. docker-java does that through a blocking HTTP client
 * (a thread parked on every call and on the stream) and brings ~800 classes to a start: its command
 * model, a shaded Apache HttpClient that makes the JDK's default SSL context and parses the public
 * suffix list even for a unix socket, Guava, and Jackson introspection of its large model. Here the
 * same calls run on Berth's own loop (Reactor Netty over the unix socket, epoll), and their
 * documents are read as JSON trees: only the members Berth reads, whatever else an engine version adds.
 * The requests carry no API version: the engine answers in its own, and every member read here has
 * been in every version since 1.24 (Docker 1.12).
 */

/**
 * A small Docker Engine API client on a Reactor Netty loop: JSON documents by path, and the events
 * stream. {@code unix:///path} and {@code tcp://host:port} (TLS when {@code DOCKER_TLS_VERIFY} is set,
 * with {@code ca.pem}, {@code cert.pem} and {@code key.pem} from {@code DOCKER_CERT_PATH}, as the
 * Docker CLI reads them).
 *
 * <pre>{@code
 * DockerEngine engine = DockerEngine.connect("unix:///var/run/docker.sock", loops);
 * engine.get("/containers/json", Map.of("status", List.of("running"))).subscribe(System.out::println);
 * }</pre>
 */
public final class DockerEngine implements AutoCloseable {

  /** Longest wait for a document once its request is sent (not for the events stream, which may stay quiet). */
  static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(30);

  private static final ObjectMapper JSON = new ObjectMapper();
  // Made at class initialization: Jackson makes a type's deserializer on its first use, under a lock
  // (a ReentrantLock since 2.17), and a loop thread once waited on it in CI as two indexes started at once.
  private static final ObjectReader TREES = JSON.readerFor(JsonNode.class);
  private static final Pattern PEM_KEY =
      Pattern.compile("-----BEGIN (RSA |)PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END \\1PRIVATE KEY-----");

  private final ConnectionProvider pool;
  private final HttpClient streams;
  private final HttpClient documents;

  private DockerEngine(HttpClient http, ConnectionProvider pool) {
    this.pool = pool;
    this.streams = http;
    this.documents = http.responseTimeout(RESPONSE_TIMEOUT);
  }

  /** The engine at {@code dockerHost}, on Reactor Netty's shared loop; connects lazily. */
  public static DockerEngine connect(String dockerHost) {
    return connect(dockerHost, null);
  }

  /**
   * The engine at {@code dockerHost}, e.g. {@code unix:///var/run/docker.sock}, on {@code loops} (null:
   * Reactor Netty's shared loop); connects lazily.
   *
   * @throws IllegalArgumentException naming the problem, for a host that is neither form, or TLS files that cannot be read
   */
  public static DockerEngine connect(String dockerHost, LoopResources loops) {
    return connect(dockerHost, loops, System.getenv());
  }

  /** As {@link #connect(String, LoopResources)}, with the TLS settings of {@code env}. */
  static DockerEngine connect(String dockerHost, LoopResources loops, Map<String, String> env) {
    Objects.requireNonNull(dockerHost, "dockerHost");
    Supplier<SocketAddress> address = address(dockerHost, loops);
    ConnectionProvider pool = ConnectionProvider.builder("berth-docker")
        .maxConnections(8)
        .pendingAcquireMaxCount(-1)
        .maxIdleTime(Duration.ofSeconds(30))
        .build();
    HttpClient http = HttpClient.create(pool)
        .remoteAddress(address)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
        // HTTP/1.1 requires a Host (Go's server refuses a request without one); the engine does not read its value.
        .headers(headers -> headers.set(HttpHeaderNames.HOST, "docker"));
    if (loops != null) {
      http = http.runOn(loops);
    }
    if (dockerHost.startsWith("unix:")) {
      // Nothing to resolve: without this the client builds Netty's DNS resolver (resolv.conf, hosts, caches).
      http = http.resolver(NoopAddressResolverGroup.INSTANCE);
      if (address.get() instanceof UnixDomainSocketAddress) {
        http = http.doOnConnected(connection -> connection.addHandlerFirst("berth-http11", Http11Requests.INSTANCE));
      }
    }
    SslContext tls = dockerHost.startsWith("tcp://") ? tls(env) : null;
    if (tls != null) {
      http = http.secure(spec -> spec.sslContext(tls));
    }
    return new DockerEngine(http, pool);
  }

  /**
   * The JSON document at {@code path} with the engine's {@code filters} (none when empty); empty when
   * the engine answers 404 (a container or network that is gone); an {@link EngineException} for any
   * other status, with the engine's message.
   */
  public Mono<JsonNode> get(String path, Map<String, List<String>> filters) {
    String uri = uri(path, filters);
    return documents.get().uri(uri)
        .responseSingle((response, body) -> body.asByteArray().defaultIfEmpty(new byte[0])
            .flatMap(bytes -> document(uri, response, bytes)));
  }

  /**
   * The events {@code filters} select, after {@link EngineEvent#CONNECTED} once the engine has
   * accepted the stream (so a subscriber can list what exists and miss nothing that follows). It
   * fails when the stream breaks or the engine ends it, so a {@code retryWhen} reconnects it;
   * cancelling closes the stream.
   */
  public Flux<EngineEvent> events(Map<String, List<String>> filters) {
    String uri = uri("/events", filters);
    return streams.get().uri(uri).response((response, body) -> {
      if (response.status().code() != 200) {
        return body.aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("")
            .flatMapMany(text -> Flux.error(failure(uri, response, text)));
      }
      return Flux.just(EngineEvent.CONNECTED)
          .concatWith(lines(body).map(line -> EngineEvent.of(tree(uri, line))))
          .concatWith(Flux.error(() -> new EngineException("the engine closed the events stream")));
    });
  }

  /** Closes its connections (the events stream's too), without waiting: it may be called on the loop. */
  @Override
  public void close() {
    pool.disposeLater().subscribe();
  }

  private static Mono<JsonNode> document(String uri, HttpClientResponse response, byte[] bytes) {
    int status = response.status().code();
    if (status == 404) {
      return Mono.empty();
    }
    if (status / 100 != 2) {
      return Mono.error(failure(uri, response, new String(bytes, StandardCharsets.UTF_8)));
    }
    return Mono.fromCallable(() -> tree(uri, bytes));
  }

  private static JsonNode tree(String uri, byte[] bytes) {
    try {
      return TREES.readTree(bytes);
    } catch (IOException e) {
      throw new EngineException("GET " + uri + ": the engine's answer is not JSON (" + e.getMessage() + ")");
    }
  }

  private static EngineException failure(String uri, HttpClientResponse response, String body) {
    String message = body.strip();
    try {
      JsonNode error = TREES.readTree(body);
      if (error != null && error.hasNonNull("message")) {
        message = error.get("message").asText();
      }
    } catch (JsonProcessingException notJson) {
      // the body as it came
    }
    return new EngineException("GET " + uri + ": " + response.status().code() + " " + message);
  }

  /**
   * The stream's lines: the engine writes each event as one JSON document and a newline, in chunks that
   * need not end at one. A newline byte never occurs inside a UTF-8 sequence, so bytes are split as they come.
   */
  static Flux<byte[]> lines(ByteBufFlux body) {
    return Flux.defer(() -> {
      ByteArrayOutputStream partial = new ByteArrayOutputStream();
      return body.asByteArray().concatMapIterable(chunk -> {
        List<byte[]> complete = new ArrayList<>(1);
        int start = 0;
        for (int i = 0; i < chunk.length; i++) {
          if (chunk[i] == '\n') {
            partial.write(chunk, start, i - start);
            if (partial.size() > 0) {
              complete.add(partial.toByteArray());
            }
            partial.reset();
            start = i + 1;
          }
        }
        partial.write(chunk, start, chunk.length - start);
        return complete;
      });
    });
  }

  static String uri(String path, Map<String, List<String>> filters) {
    if (filters.isEmpty()) {
      return path;
    }
    try {
      return path + "?filters=" + URLEncoder.encode(JSON.writeValueAsString(filters), StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("filters " + filters + ": " + e.getMessage(), e);
    }
  }

  private static Supplier<SocketAddress> address(String dockerHost, LoopResources loops) {
    URI host;
    try {
      host = URI.create(dockerHost);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(invalid(dockerHost), e);
    }
    if ("unix".equals(host.getScheme()) && host.getPath() != null && !host.getPath().isEmpty()) {
      SocketAddress socket = unixSocket(host.getPath(), loops);
      return () -> socket;
    }
    if ("tcp".equals(host.getScheme()) && host.getHost() != null && host.getPort() > 0) {
      // Resolved at each connect, as a name's address may change.
      return () -> new InetSocketAddress(host.getHost(), host.getPort());
    }
    throw new IllegalArgumentException(invalid(dockerHost));
  }

  /**
   * A unix socket's address in the form the loop's transport takes: Netty's for epoll, the JDK's for
   * NIO, which is what runs where Netty's native library cannot be loaded (a container whose /tmp
   * is not writable and executable, as the daemon's image test found).
   */
  private static SocketAddress unixSocket(String path, LoopResources loops) {
    EventLoopGroup group = (loops != null ? loops : HttpResources.get()).onClient(true);
    boolean nio = !Epoll.isAvailable() || group instanceof IoEventLoopGroup io && io.isIoType(NioIoHandler.class);
    return nio ? UnixDomainSocketAddress.of(path) : new DomainSocketAddress(path);
  }

  private static String invalid(String dockerHost) {
    return "Docker host '" + dockerHost + "' is neither unix:///path/to/docker.sock nor tcp://host:port";
  }

  /** The Docker CLI's TLS settings in {@code env}: on when DOCKER_TLS_VERIFY is set (to anything but the empty string). */
  static SslContext tls(Map<String, String> env) {
    String verify = env.get("DOCKER_TLS_VERIFY");
    if (verify == null || verify.isEmpty()) {
      return null;
    }
    String certPath = env.get("DOCKER_CERT_PATH");
    Path dir = certPath == null || certPath.isEmpty()
        ? Path.of(System.getProperty("user.home"), ".docker") : Path.of(certPath);
    Path ca = dir.resolve("ca.pem");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    for (Path file : List.of(ca, cert, key)) {
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException("DOCKER_TLS_VERIFY is set but " + file + " cannot be read: "
            + "set DOCKER_CERT_PATH to the directory with ca.pem, cert.pem and key.pem");
      }
    }
    try {
      return SslContextBuilder.forClient().trustManager(ca.toFile()).keyManager(privateKey(key), certificates(cert)).build();
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("the Docker TLS files in " + dir + " cannot be used (" + e.getMessage()
          + "); the key must be an unencrypted RSA or EC key in PEM (an encrypted one: openssl pkcs8 -topk8 -nocrypt -in key.pem)", e);
    }
  }

  /**
   * An unencrypted PEM key: PKCS#8 ({@code BEGIN PRIVATE KEY}, what OpenSSL 3 writes) or PKCS#1
   * ({@code BEGIN RSA PRIVATE KEY}, what the Docker guide's {@code openssl genrsa} wrote before it),
   * which the JDK reads only once wrapped in PKCS#8's structure.
   */
  private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    String pem = Files.readString(file, StandardCharsets.US_ASCII);
    Matcher block = PEM_KEY.matcher(pem);
    if (!block.find()) {
      throw new IllegalArgumentException(file + " holds no unencrypted private key");
    }
    byte[] der = Base64.getMimeDecoder().decode(block.group(2));
    if ("RSA ".equals(block.group(1))) {
      return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8OfRsa(der)));
    }
    for (String algorithm : List.of("RSA", "EC")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (InvalidKeySpecException other) {
        // the next algorithm
      }
    }
    throw new IllegalArgumentException(file + " is neither an RSA nor an EC key");
  }

  /** PKCS#8's PrivateKeyInfo around a PKCS#1 RSAPrivateKey: version 0, rsaEncryption, the key as an octet string. */
  private static byte[] pkcs8OfRsa(byte[] pkcs1) {
    byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    byte[] version = {0x02, 0x01, 0x00};
    byte[] octets = derElement(0x04, pkcs1);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(version);
    body.writeBytes(algorithm);
    body.writeBytes(octets);
    return derElement(0x30, body.toByteArray());
  }

  private static byte[] derElement(int tag, byte[] content) {
    ByteArrayOutputStream element = new ByteArrayOutputStream();
    element.write(tag);
    int length = content.length;
    if (length < 0x80) {
      element.write(length);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
      element.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        element.write(length >>> (8 * i));
      }
    }
    element.writeBytes(content);
    return element.toByteArray();
  }

  private static X509Certificate[] certificates(Path file) throws IOException, GeneralSecurityException {
    try (var in = Files.newInputStream(file)) {
      return CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(X509Certificate[]::new);
    }
  }

  /**
   * Reactor Netty (1.3.7 and 1.3.8: DockerEngineTest's NIO case fails without this) takes a channel
   * that is neither a {@code SocketChannel} nor Netty's native {@code DomainSocketChannel} for an
   * HTTP/3 stream, and writes "HTTP/3.0" in the request line on NIO's unix socket channel; the
   * engine answers 505 (as in reactor-netty#3692, fixed there for Netty's native channel). Every
   * request it writes here is HTTP/1.1.
   */
  @ChannelHandler.Sharable
  private static final class Http11Requests extends ChannelOutboundHandlerAdapter {
    static final Http11Requests INSTANCE = new Http11Requests();

    @Override
    public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) {
      if (message instanceof HttpRequest request) {
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
      }
      context.write(message, promise);
    }
  }

  /** The engine answered with an error, or not as the Engine API says. */
  public static final class EngineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EngineException(String message) {
      super(message);
    }
  }
}
