package dev.berth.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Metadata outside {@code iam/}: the upstream's answer, relayed with {@code Server: EC2ws}. Each
 * caller has its own share of requests in flight, so one container flooding the upstream leaves
 * the upstream's connections (and its per-instance throttle) to the others.
 */
final class PassThroughHandler {

  private static final Logger log = LoggerFactory.getLogger(PassThroughHandler.class);

  private final Upstream upstream;
  private final int maxPerCaller;
  private final CallerCounts inFlight;
  private final LogLimiter failureLines = LogLimiter.standard();
  private final LogLimiter refusalLines = LogLimiter.standard();

  PassThroughHandler(Upstream upstream, int maxPerCaller) {
    this.upstream = upstream;
    this.maxPerCaller = maxPerCaller;
    this.inFlight = new CallerCounts(maxPerCaller);
  }

  Mono<Void> handle(MetadataPath path, InetAddress caller, HttpServerResponse response) {
    if (!inFlight.tryAcquire(caller)) {
      String suppressed = refusalLines.admit(caller);
      if (suppressed != null) {
        log.warn("{} has {} pass-through requests in flight, the most one caller may (--max-forwarded-per-caller); "
            + "answering 429{}", caller.getHostAddress(), maxPerCaller, suppressed);
      }
      response.header(HttpHeaderNames.RETRY_AFTER, "1");
      return Responses.text(response, HttpResponseStatus.TOO_MANY_REQUESTS, "Too Many Requests");
    }
    return upstream.get(path.forwardPath())
        // Given back however the request ends: answered, failed, or the caller gone.
        .doFinally(signal -> inFlight.release(caller))
        .flatMap(answer -> Responses.bytes(response, HttpResponseStatus.valueOf(answer.status()),
            answer.contentType() == null ? Responses.TEXT : answer.contentType(), answer.body()))
        .onErrorResume(error -> {
          // An upstream that is down fails every request: one line per path, then one per 10 s.
          String suppressed = failureLines.admit(path.path());
          if (suppressed != null) {
            log.warn("upstream failed for {}: {}{}", path.path(), error.toString(), suppressed);
          }
          return Responses.text(response, HttpResponseStatus.BAD_GATEWAY, "Bad Gateway");
        });
  }
}
