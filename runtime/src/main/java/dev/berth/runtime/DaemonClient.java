package dev.berth.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * A client of a Berth daemon's control API: what the provisioner's and the encryptor's
 * {@code --daemon} options talk through. The daemon is {@code http://HOST:PORT} (its admin
 * listener) or {@code unix:PATH} (its {@code --admin-socket}).
 *
 * <pre>{@code
 * try (DaemonClient daemon = DaemonClient.connect("unix:/run/berth/admin.sock")) {
 *   JsonNode groups = daemon.call("GET", "/v1/groups", null).block();
 * }
 * }</pre>
 */
public final class DaemonClient implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String address;
  private final LoopResources loop;
  private final ConnectionProvider connections;
  private final HttpClient http;

  private DaemonClient(String address, SocketAddress remote) {
    this.address = address;
    this.loop = BerthRuntime.newLoopResources(1);
    this.connections = ConnectionProvider.create("berth-daemon-client", 4);
    this.http = HttpClient.create(connections).runOn(loop).remoteAddress(() -> remote)
        .headers(headers -> headers.set("Host", "berth"))
        .responseTimeout(Duration.ofMinutes(5));
  }

  /**
   * A client of the daemon at {@code address}; no connection is made until the first call.
   *
   * @param address {@code http://HOST:PORT} or {@code unix:PATH}
   * @return the client; close it when done
   * @throws IllegalArgumentException naming the address when it is neither
   */
  public static DaemonClient connect(String address) {
    String given = address == null ? "" : address.trim();
    if (given.startsWith("unix:")) {
      String path = given.substring("unix:".length()).replaceFirst("^//", "");
      if (path.isEmpty()) {
        throw invalid(given);
      }
      return new DaemonClient(given, new DomainSocketAddress(path));
    }
    URI uri;
    try {
      uri = URI.create(given);
    } catch (IllegalArgumentException e) {
      throw invalid(given);
    }
    if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
      throw invalid(given);
    }
    return new DaemonClient(given, new InetSocketAddress(uri.getHost(), uri.getPort()));
  }

  /**
   * One request; the answer's JSON body, or a {@link DaemonException} with the daemon's error
   * code and message (or, when the daemon cannot be reached, what is wrong and where).
   *
   * @param method {@code GET}, {@code PUT}, {@code POST} or {@code DELETE}
   * @param path e.g. {@code /v1/groups/web}
   * @param body JSON, or {@code null}
   * @return the JSON answer
   */
  public Mono<JsonNode> call(String method, String path, String body) {
    HttpClient.RequestSender request = http.headers(headers -> {
          if (body != null) {
            headers.set("Content-Type", "application/json");
          }
        })
        .request(HttpMethod.valueOf(method)).uri(path);
    var sent = body == null ? request : request.send(ByteBufFlux.fromString(Mono.just(body)));
    return sent.responseSingle((response, content) -> content.asString(StandardCharsets.UTF_8).defaultIfEmpty("")
            .map(text -> answer(response.status().code(), text, method, path)))
        .onErrorMap(error -> !(error instanceof DaemonException), this::unreachable);
  }

  /**
   * A server-sent event stream: each event's {@code data} as JSON, completing when the daemon ends
   * the stream.
   *
   * @param path e.g. {@code /v1/encryptions/ID/events}
   * @return the events
   */
  public Flux<JsonNode> events(String path) {
    return http.responseTimeout(Duration.ofDays(1)).get().uri(path)
        .response((response, content) -> response.status().code() != 200
            ? content.aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                .map(text -> answer(response.status().code(), text, "GET", path))
            : content.asString(StandardCharsets.UTF_8)
                .flatMapIterable(chunk -> chunk.lines().toList())
                .filter(line -> line.startsWith("data:"))
                .map(line -> read(line.substring("data:".length()).trim())))
        .onErrorMap(error -> !(error instanceof DaemonException), this::unreachable);
  }

  /** Releases the client's loop and connections. */
  @Override
  public void close() {
    connections.disposeLater().block(Duration.ofSeconds(5));
    loop.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
  }

  private JsonNode answer(int status, String text, String method, String path) {
    JsonNode json = text.isBlank() ? JSON.nullNode() : read(text);
    if (status >= 300) {
      String code = json.path("code").asText("");
      String message = json.path("message").asText("");
      if (code.isEmpty()) {
        throw new DaemonException("http_" + status, status, method + " " + path + " answered " + status
            + " without a Berth error; is " + address + " a Berth daemon's admin address?");
      }
      throw new DaemonException(code, status, message);
    }
    return json;
  }

  private static JsonNode read(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException("the daemon answered something that is not JSON: " + e.getMessage(), e);
    }
  }

  private DaemonException unreachable(Throwable error) {
    return new DaemonException("unreachable", 0, "cannot reach the Berth daemon at " + address + " ("
        + (error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage())
        + "); is berth-proxy running with that --admin-listen or --admin-socket?");
  }

  private static IllegalArgumentException invalid(String address) {
    return new IllegalArgumentException("--daemon '" + address + "' is not http://HOST:PORT or unix:PATH, "
        + "e.g. http://127.0.0.1:18001 or unix:/run/berth/admin.sock");
  }

  /** An error answer of the control API, or a daemon that cannot be reached. */
  public static final class DaemonException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String code;
    private final int status;

    DaemonException(String code, int status, String message) {
      super(message);
      this.code = code;
      this.status = status;
    }

    /**
     * The control API's stable error code, e.g. {@code group_not_found}; {@code unreachable} when
     * the daemon could not be reached.
     *
     * @return the code
     */
    public String code() {
      return code;
    }

    /**
     * The HTTP status, 0 when there was no answer.
     *
     * @return the status
     */
    public int status() {
      return status;
    }
  }
}
