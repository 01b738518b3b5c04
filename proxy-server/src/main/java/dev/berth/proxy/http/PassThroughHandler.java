package dev.berth.proxy.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

/** Metadata outside {@code iam/}: the upstream's answer, relayed with {@code Server: EC2ws}. */
final class PassThroughHandler {

  private static final Logger log = LoggerFactory.getLogger(PassThroughHandler.class);

  private final Upstream upstream;
  private final LogLimiter failureLines = LogLimiter.standard();

  PassThroughHandler(Upstream upstream) {
    this.upstream = upstream;
  }

  Mono<Void> handle(MetadataPath path, HttpServerResponse response) {
    return upstream.get(path.forwardPath())
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
