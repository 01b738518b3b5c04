package dev.berth.proxy.http;

import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/** {@code --disable-upstream}: metadata outside {@code iam/} is absent. */
enum DisabledUpstream implements Upstream {
  INSTANCE;

  private static final Logger log = LoggerFactory.getLogger(Upstream.class);
  private static final byte[] NOT_FOUND = "Not Found".getBytes(StandardCharsets.UTF_8);

  private final LogLimiter refusalLines = LogLimiter.standard();

  @Override
  public Mono<Answer> get(String pathAndQuery) {
    String suppressed = refusalLines.admit(pathAndQuery);
    if (suppressed != null) {
      log.info("refused {}: pass-through to the metadata service is disabled (--disable-upstream){}", pathAndQuery,
          suppressed);
    }
    return Mono.just(new Answer(404, Responses.TEXT, NOT_FOUND));
  }
}
