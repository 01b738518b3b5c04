package dev.berth.proxy.http;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpMethod;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/*
 * Design notes. Pooled keep-alive connections on the server's own event loops (UpstreamConnections),
 * so pass-through costs no connection set-up and no thread hop per request. The proxy holds one
 * IMDSv2 token of its own, fetched lazily, shared by all requests, reused until shortly before it
 * expires and fetched again after a 401; an upstream that refuses tokens (403/404/405) is spoken to
 * with IMDSv1. While a token is current, a request costs one exchange and no token bookkeeping.
 */
final class HttpUpstream implements Upstream {

  private static final Logger log = LoggerFactory.getLogger(Upstream.class);
  private static final int TOKEN_TTL_SECONDS = 21_600;
  private static final long TOKEN_REUSE_NANOS = Duration.ofSeconds(TOKEN_TTL_SECONDS - 600).toNanos();
  private static final int CONNECTIONS_PER_LOOP = 32;
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

  /** The token to send, or none for IMDSv1, and until when (System.nanoTime) it is reused. */
  private record Token(String value, long reuseUntil) {}

  private final UpstreamConnections connections;
  private volatile Token token;
  private volatile Mono<Token> fetching;

  HttpUpstream(URI base, EventLoopGroup loop) {
    this.connections = new UpstreamConnections(base, loop, CONNECTIONS_PER_LOOP, TIMEOUT, IDLE_TIMEOUT);
  }

  @Override
  public Mono<Answer> get(String pathAndQuery) {
    Token current = token;
    if (current != null && System.nanoTime() - current.reuseUntil() < 0) {
      return get(pathAndQuery, current);
    }
    return token().flatMap(fresh -> get(pathAndQuery, fresh));
  }

  @Override
  public void close() {
    connections.close();
  }

  private Mono<Answer> get(String pathAndQuery, Token with) {
    return send(pathAndQuery, with).flatMap(answer -> {
      if (answer.status() != 401) {
        return Mono.just(answer);
      }
      forget(with);
      Token newer = token;
      return (newer != null ? Mono.just(newer) : token()).flatMap(fresh -> send(pathAndQuery, fresh));
    });
  }

  private Mono<Answer> send(String pathAndQuery, Token with) {
    return connections.exchange(HttpMethod.GET, pathAndQuery,
        with.value() == null ? null : TokenHandler.TOKEN_HEADER, with.value());
  }

  /** The current token, fetched by one request however many callers wait for it. */
  private Mono<Token> token() {
    Mono<Token> inFlight = fetching;
    if (inFlight == null) {
      synchronized (this) {
        Token fetched = token;
        if (fetched != null && System.nanoTime() - fetched.reuseUntil() < 0) {
          return Mono.just(fetched);
        }
        inFlight = fetching;
        if (inFlight == null) {
          inFlight = connections
              .exchange(HttpMethod.PUT, "/latest/api/token", TokenHandler.TTL_HEADER, Integer.toString(TOKEN_TTL_SECONDS))
              .map(this::tokenFrom)
              .doOnNext(fresh -> token = fresh)
              .doFinally(signal -> fetching = null)
              .cache();
          fetching = inFlight;
        }
      }
    }
    return inFlight;
  }

  /**
   * A token, or IMDSv1 when the upstream does not do tokens (403 disabled, 404/405 an older service);
   * any other answer is an error, so that one passing failure does not mean hours without a token.
   */
  private Token tokenFrom(Answer answer) {
    long reuseUntil = System.nanoTime() + TOKEN_REUSE_NANOS;
    int status = answer.status();
    if (status == 200 && answer.body().length > 0) {
      return new Token(new String(answer.body(), StandardCharsets.US_ASCII), reuseUntil);
    }
    if (status == 403 || status == 404 || status == 405) {
      log.info("upstream gave no IMDSv2 token (HTTP {}); using IMDSv1", status);
      return new Token(null, reuseUntil);
    }
    throw new IllegalStateException("upstream answered the token request with HTTP " + status);
  }

  private synchronized void forget(Token rejected) {
    if (token == rejected) {
      token = null;
    }
  }
}
