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

  PassThroughHandler(Upstream upstream) {
    this.upstream = upstream;
  }

  Mono<Void> handle(MetadataPath path, HttpServerResponse response) {
    return upstream.get(path.pathAndQuery())
        .flatMap(answer -> Responses.bytes(response, HttpResponseStatus.valueOf(answer.status()),
            answer.contentType() == null ? Responses.TEXT : answer.contentType(), answer.body()))
        .onErrorResume(error -> {
          log.warn("upstream failed for {}: {}", path.path(), error.toString());
          return Responses.text(response, HttpResponseStatus.BAD_GATEWAY, "Bad Gateway");
        });
  }
}
