package dev.berth.testing;

import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The HTTP side of an emulator: a Reactor Netty server bound to the builder's address (TCP, or a
 * unix domain socket), which can record every request and connection in a {@link RequestLog}, and
 * which {@link #close()} disposes. The emulators hold one each and keep only their protocol.
 */
final class EmulatorServer implements AutoCloseable {

  /** Answers a request the server has already recorded; {@code path} is its path without the query. */
  @FunctionalInterface
  interface RecordedHandler {
    Publisher<Void> serve(String path, RecordedRequest request, HttpServerResponse response);
  }

  private final DisposableServer server;
  private final Path socket;

  private EmulatorServer(DisposableServer server, Path socket) {
    this.server = server;
    this.socket = socket;
  }

  /** Binds {@code handler} at the builder's address. */
  static EmulatorServer bind(EmulatorBuilder<?> address,
      BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> handler) {
    return new EmulatorServer(at(address).handle(handler).bindNow(), address.socket);
  }

  /** Binds {@code handler} at the builder's address, logging each connection and request first. */
  static EmulatorServer bindRecording(EmulatorBuilder<?> address, RequestLog log, RecordedHandler handler) {
    return bindRecording(address, log, UnaryOperator.identity(), handler);
  }

  /**
   * Binds {@code handler} at the builder's address, logging each connection and request first; a
   * request is logged and served under {@code pathOf} its path (e.g. without an API version prefix).
   */
  static EmulatorServer bindRecording(EmulatorBuilder<?> address, RequestLog log, UnaryOperator<String> pathOf,
      RecordedHandler handler) {
    return new EmulatorServer(at(address)
        .doOnChannelInit((observer, channel, remoteAddress) -> log.connectionAccepted())
        .handle((request, response) -> {
          String path = pathOf.apply(new QueryStringDecoder(request.uri()).rawPath());
          RecordedRequest recorded = record(request);
          log.record(path, recorded);
          return handler.serve(path, recorded, response);
        })
        .bindNow(), address.socket);
  }

  /** Sends a whole answer, with its length, its content type and then {@code headers} in order. */
  static Mono<Void> send(HttpServerResponse response, int status, String contentType, Map<String, String> headers,
      byte[] body) {
    response.status(status)
        .header(HttpHeaderNames.CONTENT_TYPE, contentType)
        .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length));
    headers.forEach(response::header);
    return response.sendByteArray(Mono.just(body)).then();
  }

  /** The base URI of a TCP server, e.g. {@code http://127.0.0.1:41234}. */
  URI endpoint() {
    if (socket != null) {
      throw new IllegalStateException("the server listens on the unix socket " + socket + ", which has no http:// URI");
    }
    return URI.create("http://" + Text.uriHost(server.host()) + ":" + server.port());
  }

  /** The address bound: an {@code InetSocketAddress}, or a {@code DomainSocketAddress}. */
  SocketAddress address() {
    return server.address();
  }

  /** Stops the server and waits for it to release its port, or to remove its socket file. */
  @Override
  public void close() {
    server.disposeNow();
    if (socket != null) {
      try {
        Files.deleteIfExists(socket);
      } catch (IOException e) {
        throw new UncheckedIOException("could not remove the socket file " + socket, e);
      }
    }
  }

  private static HttpServer at(EmulatorBuilder<?> address) {
    if (address.socket == null) {
      return HttpServer.create().host(address.host).port(address.port);
    }
    String path = address.socket.toString();
    return HttpServer.create().bindAddress(() -> new DomainSocketAddress(path));
  }

  private static RecordedRequest record(HttpServerRequest request) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    request.requestHeaders()
        .forEach(h -> headers.computeIfAbsent(h.getKey(), k -> new ArrayList<>()).add(h.getValue()));
    return new RecordedRequest(request.method().name(), request.uri(), headers);
  }
}
