package dev.berth.testing;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The AWS Query protocol as one service speaks it: parameters from the query string and the form
 * body in, an XML document with its request id out.
 *
 * @param contentType the {@code Content-Type} of every answer
 * @param headers headers every answer carries besides {@code x-amzn-RequestId}, e.g. {@code Server}
 * @param closeOnServerError whether an answer with a 5xx status closes the connection
 * @param maxParams how many parameters a request may carry; the rest are ignored
 */
record QueryProtocol(String contentType, Map<String, String> headers, boolean closeOnServerError, int maxParams) {

  QueryProtocol {
    headers = Map.copyOf(headers);
  }

  /**
   * Reads every query-string and form parameter of {@code request} (the first value of each; the
   * form wins), has {@code handler} answer them, and sends the answer once its delay has passed,
   * without blocking a thread.
   */
  Mono<Void> serve(HttpServerRequest request, HttpServerResponse response,
      Function<Map<String, String>, QueryAnswer> handler) {
    return request.receive().aggregate().asString(StandardCharsets.UTF_8)
        .defaultIfEmpty("")
        .map(body -> handler.apply(params(request.uri(), body)))
        .flatMap(answer -> reply(response, answer));
  }

  private Mono<Void> reply(HttpServerResponse response, QueryAnswer answer) {
    Mono<Void> send = Mono.defer(() -> {
      if (closeOnServerError && answer.status() >= 500) {
        // A failing endpoint drops the connection, and the SDK then never reuses it: without
        // this, its pool can hand the half-closed connection to the next call.
        response.keepAlive(false);
      }
      Map<String, String> all = new LinkedHashMap<>();
      all.put("x-amzn-RequestId", answer.requestId());
      all.putAll(headers);
      return EmulatorServer.send(response, answer.status(), contentType, all,
          answer.xml().getBytes(StandardCharsets.UTF_8));
    });
    return answer.delay().isZero() ? send : Mono.delay(answer.delay()).then(send);
  }

  private Map<String, String> params(String uri, String body) {
    Map<String, String> params = new HashMap<>();
    QueryStringDecoder.Builder decoder = QueryStringDecoder.builder().semicolonIsNormalChar(true).maxParams(maxParams);
    decoder.hasPath(true).build(uri).parameters().forEach((k, v) -> params.put(k, v.get(0)));
    decoder.hasPath(false).build(body).parameters().forEach((k, v) -> params.put(k, v.get(0)));
    return params;
  }
}
