package dev.berth.proxy.http;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/*
 * Design notes. One pooled client, so pass-through costs no connection set-up per request. The
 * proxy holds one IMDSv2 token of its own, fetched lazily, shared by all requests, and fetched again
 * after a 401; an upstream that refuses tokens (403/404/405) is spoken to with IMDSv1.
 */
final class HttpUpstream implements Upstream {

  private static final Logger log = LoggerFactory.getLogger(Upstream.class);
  private static final int TOKEN_TTL_SECONDS = 21_600;
  private static final Duration TOKEN_REUSE = Duration.ofSeconds(TOKEN_TTL_SECONDS - 600);

  private final ConnectionProvider pool;
  private final HttpClient client;
  private final AtomicReference<Mono<Optional<String>>> token = new AtomicReference<>();

  HttpUpstream(URI base, EventLoopGroup loop) {
    this.pool = ConnectionProvider.builder("berth-upstream")
        .maxConnections(64)
        .pendingAcquireMaxCount(8192)
        .maxIdleTime(Duration.ofSeconds(30))
        .build();
    this.client = HttpClient.create(pool)
        .runOn(loop)
        .baseUrl(base.toString())
        .responseTimeout(Duration.ofSeconds(2))
        .keepAlive(true);
    resetToken();
  }

  @Override
  public Mono<Answer> get(String pathAndQuery) {
    return fetch(pathAndQuery).flatMap(answer -> {
      if (answer.status() != 401) {
        return Mono.just(answer);
      }
      resetToken();
      return fetch(pathAndQuery);
    });
  }

  @Override
  public void close() {
    pool.disposeLater().block(Duration.ofSeconds(5));
  }

  private Mono<Answer> fetch(String pathAndQuery) {
    return token.get().flatMap(t -> client
        .headers(h -> t.ifPresent(value -> h.set(TokenHandler.TOKEN_HEADER, value)))
        .get()
        .uri(pathAndQuery)
        .responseSingle((response, body) -> body.asByteArray()
            .defaultIfEmpty(new byte[0])
            .map(bytes -> new Answer(response.status().code(),
                response.responseHeaders().get(HttpHeaderNames.CONTENT_TYPE), bytes))));
  }

  private void resetToken() {
    token.set(client
        .headers(h -> h.set(TokenHandler.TTL_HEADER, Integer.toString(TOKEN_TTL_SECONDS)))
        .put()
        .uri("/latest/api/token")
        .send(ByteBufFlux.fromString(Mono.empty()))
        .responseSingle((response, body) -> body.asString().defaultIfEmpty("").map(text -> {
          if (response.status().code() == 200 && !text.isEmpty()) {
            return Optional.of(text);
          }
          log.info("upstream gave no IMDSv2 token (HTTP {}); using IMDSv1", response.status().code());
          return Optional.<String>empty();
        }))
        .cache(value -> TOKEN_REUSE, error -> Duration.ZERO, () -> Duration.ZERO));
  }
}
