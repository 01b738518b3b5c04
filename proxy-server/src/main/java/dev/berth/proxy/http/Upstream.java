package dev.berth.proxy.http;

import com.github.benmanes.caffeine.cache.Ticker;
import io.netty.channel.EventLoopGroup;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * Where metadata paths that Berth does not answer itself go: the real metadata service, nowhere,
 * or an embedded stand-in. Paths under {@code iam/} never reach an upstream.
 */
@FunctionalInterface
public interface Upstream extends AutoCloseable {

  /** Fetches {@code pathAndQuery} (already normalised) with {@code GET}. */
  Mono<Answer> get(String pathAndQuery);

  /** Releases pooled connections; a no-op for upstreams that hold none. */
  @Override
  default void close() {}

  /**
   * The upstream's answer.
   *
   * @param status the HTTP status code
   * @param contentType the content type, or {@code null}
   * @param body the body
   */
  record Answer(int status, String contentType, byte[] body) {
    public Answer {
      Objects.requireNonNull(body, "body");
    }
  }

  /**
   * The real metadata service at {@code base}, over pooled keep-alive connections on {@code loop}, with
   * an IMDSv2 token of the proxy's own (never the caller's).
   */
  static Upstream http(URI base, EventLoopGroup loop) {
    return new HttpUpstream(base, loop);
  }

  /**
   * {@code upstream} with its 200 and 404 answers kept for {@code ttl} and identical requests in
   * flight merged into one, which shields the real service's per-instance rate limit from many
   * containers asking the same thing; a zero {@code ttl} gives {@code upstream} itself.
   */
  static Upstream cached(Upstream upstream, Duration ttl) {
    return ttl.isZero() ? upstream : new CachingUpstream(upstream, ttl, Ticker.systemTicker());
  }

  /** No upstream: every path Berth does not answer is absent (404), and a log line says why. */
  static Upstream disabled() {
    return DisabledUpstream.INSTANCE;
  }
}
