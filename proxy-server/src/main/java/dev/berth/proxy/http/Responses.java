package dev.berth.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServerResponse;

/*
 * Design notes. Every answer is written from its connection's own event loop. Most answers are known
 * there, but some become known on another thread: credentials fetched by an STS client whose
 * connection lives on another loop (--io-threads above 1), a test's or an embedder's credential
 * source, a container lookup that had to list the engine. Written from that thread, about one such
 * keep-alive connection in ten never answered its next request (Reactor Netty 1.3.7; the client
 * sends it as soon as the answer arrives): CrossThreadAnswerTest, and WarmUpReadinessTest failed so
 * in CI. Hopping to the loop costs one task, and only on those answers (kept with Reactor Netty
 * 1.3.8, which fixed a stall of that kind: reactor-netty#4361).
 */

/** Writes answers the way the real metadata service does: {@code Server: EC2ws}, plain text. */
final class Responses {

  static final String SERVER = "EC2ws";
  static final String TEXT = "text/plain";

  private Responses() {}

  static Mono<Void> text(HttpServerResponse response, HttpResponseStatus status, String body) {
    return bytes(response, status, TEXT, body.getBytes(StandardCharsets.UTF_8));
  }

  static Mono<Void> bytes(HttpServerResponse response, HttpResponseStatus status, String contentType, byte[] body) {
    EventLoop loop = loopOf(response);
    return loop.inEventLoop() ? write(response, status, contentType, body)
        : Mono.defer(() -> write(response, status, contentType, body)).subscribeOn(Schedulers.fromExecutor(loop));
  }

  private static EventLoop loopOf(HttpServerResponse response) {
    EventLoop[] loop = new EventLoop[1];
    response.withConnection(connection -> loop[0] = connection.channel().eventLoop());
    return loop[0];
  }

  private static Mono<Void> write(HttpServerResponse response, HttpResponseStatus status, String contentType, byte[] body) {
    response.status(status)
        .header(HttpHeaderNames.SERVER, SERVER)
        .header(HttpHeaderNames.CONTENT_TYPE, contentType);
    if (response.method().equals(io.netty.handler.codec.http.HttpMethod.HEAD)) {
      response.header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length));
      return response.send().then();
    }
    return response.sendByteArray(Mono.just(body)).then();
  }

  static Mono<Void> notFound(HttpServerResponse response) {
    return text(response, HttpResponseStatus.NOT_FOUND, "Not Found");
  }

  static Mono<Void> badRequest(HttpServerResponse response) {
    return text(response, HttpResponseStatus.BAD_REQUEST, "Bad Request");
  }

  static Mono<Void> unauthorized(HttpServerResponse response) {
    return text(response, HttpResponseStatus.UNAUTHORIZED, "Unauthorized");
  }

  static Mono<Void> methodNotAllowed(HttpServerResponse response, String allow) {
    response.header(HttpHeaderNames.ALLOW, allow);
    return text(response, HttpResponseStatus.METHOD_NOT_ALLOWED, "Method Not Allowed");
  }

  static Mono<Void> redirect(HttpServerResponse response, String location) {
    response.header(HttpHeaderNames.LOCATION, location);
    return text(response, HttpResponseStatus.MOVED_PERMANENTLY, "Moved Permanently");
  }
}
