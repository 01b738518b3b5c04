package dev.berth.iptables;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.ChannelOption;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
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

  private final String dockerHost;
  private final ConnectionProvider pool;
  private final HttpClient streams;
  private final HttpClient documents;

  private DockerEngine(String dockerHost, HttpClient http, ConnectionProvider pool) {
    this.dockerHost = dockerHost;
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
    Objects.requireNonNull(dockerHost, "dockerHost");
    Supplier<SocketAddress> address = address(dockerHost);
    ConnectionProvider pool = ConnectionProvider.builder("berth-docker")
        .maxConnections(8)
        .pendingAcquireMaxCount(-1)
        .maxIdleTime(Duration.ofSeconds(30))
        .build();
    HttpClient http = HttpClient.create(pool)
        .remoteAddress(address)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
        // HTTP/1.1 needs a Host; over a unix socket the engine ignores its value, as the Docker CLI's "docker" shows.
        .headers(headers -> headers.set(HttpHeaderNames.HOST, "docker"));
    if (loops != null) {
      http = http.runOn(loops);
    }
    SslContext tls = dockerHost.startsWith("tcp://") ? tlsFromEnvironment() : null;
    if (tls != null) {
      http = http.secure(spec -> spec.sslContext(tls));
    }
    return new DockerEngine(dockerHost, http, pool);
  }

  /** Where this client connects, as given. */
  public String dockerHost() {
    return dockerHost;
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
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new EngineException("GET " + uri + ": the engine's answer is not JSON (" + e.getMessage() + ")");
    }
  }

  private static EngineException failure(String uri, HttpClientResponse response, String body) {
    String message = body.strip();
    try {
      JsonNode error = JSON.readTree(body);
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

  private static Supplier<SocketAddress> address(String dockerHost) {
    URI host;
    try {
      host = URI.create(dockerHost);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(invalid(dockerHost), e);
    }
    if ("unix".equals(host.getScheme()) && host.getPath() != null && !host.getPath().isEmpty()) {
      DomainSocketAddress socket = new DomainSocketAddress(host.getPath());
      return () -> socket;
    }
    if ("tcp".equals(host.getScheme()) && host.getHost() != null && host.getPort() > 0) {
      // Resolved at each connect, as a name's address may change.
      return () -> new InetSocketAddress(host.getHost(), host.getPort());
    }
    throw new IllegalArgumentException(invalid(dockerHost));
  }

  private static String invalid(String dockerHost) {
    return "Docker host '" + dockerHost + "' is neither unix:///path/to/docker.sock nor tcp://host:port";
  }

  /** The Docker CLI's TLS settings: on when DOCKER_TLS_VERIFY is set (to anything but the empty string). */
  private static SslContext tlsFromEnvironment() {
    String verify = System.getenv("DOCKER_TLS_VERIFY");
    if (verify == null || verify.isEmpty()) {
      return null;
    }
    String certPath = System.getenv("DOCKER_CERT_PATH");
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
      return SslContextBuilder.forClient().trustManager(ca.toFile()).keyManager(cert.toFile(), key.toFile()).build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("the Docker TLS files in " + dir + " cannot be used (" + e.getMessage()
          + "); a key must be unencrypted PEM, PKCS#8 (openssl pkcs8 -topk8 -nocrypt -in key.pem converts one)", e);
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
