package dev.berth.encryptor;

import com.fasterxml.jackson.databind.ObjectReader;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Polls an encryptor instance's status port through Reactor Netty's client on the caller's loop,
 * until it reports {@code finished}; {@code failed} ends the wait with its failure code, and so
 * does silence: no new state or byte count for {@code --status-timeout}, an unreachable port
 * included.
 *
 * <p>Design notes: progress is the stream of distinct (state, bytes) answers, so the silence limit
 * is a plain {@code timeout} between two of them, testable in virtual time. A fresh connection per
 * poll: the encryptor may restart its server, and a poll every few seconds needs no pool.
 */
final class StatusPoller {

  private static final Logger LOG = LoggerFactory.getLogger("berth-encryptor");
  // Made at class initialization: Jackson makes a type's deserializer on its first use, under a lock
  // (a ReentrantLock since 2.17) that a loop thread would wait on while another job's poll makes it.
  private static final ObjectReader STATUS = Journal.JSON.readerFor(EncryptorStatus.class);
  static final Duration DEFAULT_EVERY = Duration.ofSeconds(10);

  private final HttpClient http;
  private final Duration every;

  StatusPoller(EventLoopGroup loop, Duration every) {
    this.http = HttpClient.create(ConnectionProvider.newConnection()).runOn(loop)
        .responseTimeout(Duration.ofSeconds(5));
    this.every = every;
  }

  /** The HTTP client on the caller's loop, for the encryptor catalog's URL too. */
  HttpClient http() {
    return http;
  }

  /** Completes once the encryptor at {@code address:port} has finished; fails as the class says. */
  Mono<EncryptorStatus> untilFinished(String address, int port, Duration silence,
      java.util.function.Consumer<EncryptorStatus> onStatus) {
    String uri = "http://" + address + ":" + port + "/";
    return progress(Flux.interval(Duration.ZERO, every).onBackpressureDrop()
            .concatMap(tick -> fetch(uri).onErrorResume(e -> {
              LOG.debug("status port {} did not answer: {}", uri, e.toString());
              return Mono.empty();
            })), silence)
        .doOnNext(status -> LOG.info("encryptor: {}", status.describe()))
        .doOnNext(onStatus)
        .filter(status -> status.finished() || status.failed())
        .next()
        .flatMap(status -> status.failed()
            ? Mono.error(EncryptorException.failed("the encryptor failed: " + status.failureCode(), null))
            : Mono.just(status));
  }

  /** The distinct answers of {@code statuses}, failing when none new arrives for {@code silence}. */
  static Flux<EncryptorStatus> progress(Flux<EncryptorStatus> statuses, Duration silence) {
    return statuses.distinctUntilChanged(EncryptorStatus::progressKey)
        .timeout(silence)
        .onErrorMap(TimeoutException.class, e -> EncryptorException.failed(
            "the encryptor made no progress for --status-timeout " + silence + " (unreachable or stuck)", e));
  }

  private Mono<EncryptorStatus> fetch(String uri) {
    return http.get().uri(uri)
        .responseSingle((response, body) -> response.status().code() == 200 ? body.asString()
            : Mono.error(new IllegalStateException("status port answered " + response.status())))
        .map(json -> {
          try {
            return STATUS.readValue(json);
          } catch (java.io.IOException e) {
            throw new IllegalStateException("status port answered no status JSON: " + e.getMessage(), e);
          }
        });
  }
}
