package dev.berth.proxy;

import dev.berth.proxy.credentials.CredentialCache;
import dev.berth.proxy.docker.Container;
import dev.berth.proxy.docker.ContainerIndex;
import dev.berth.proxy.policy.Decision;
import dev.berth.proxy.policy.RolePolicy;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Credentials fetched for every container as soon as the index announces it (those already running,
 * then each new one), so that its first request finds them cached. A (re)start on a busy host finds
 * every running container at once: at most {@value #AT_ONCE} fetches run together, so STS does not
 * throttle the burst (a throttled first fetch is remembered for 10 s); a container's own request
 * never waits in this queue. The containers running at start are fetched once the index has been
 * filled, not while it fills: the SDK builds and signs each request on the thread that asks, which
 * was the index's own thread, between its inspects; with 1,000 containers the proxy took 1.4 times
 * as long to be ready (bench/ready.sh, README.md "Performance"), and the last credentials were
 * cached no sooner. One failure never ends prefetching: a container whose prefetch fails is
 * skipped, and if the announcements themselves fail they are subscribed to again, with backoff
 * (the index then announces every running container again, which the cache answers at once).
 */
final class ContainerPrefetch {

  static final int AT_ONCE = 16;
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

  private static final Logger log = LoggerFactory.getLogger(ContainerPrefetch.class);

  private ContainerPrefetch() {}

  static Disposable start(ContainerIndex index, RolePolicy policy, CredentialCache cache) {
    return index.ready().thenMany(index.starts())
        .flatMap(container -> prefetch(container, policy, cache), AT_ONCE)
        .doOnError(error -> log.warn("container announcements failed ({}); prefetching resumes after a backoff",
            error.toString()))
        .retryWhen(Retry.backoff(Long.MAX_VALUE, FIRST_BACKOFF).maxBackoff(MAX_BACKOFF))
        .subscribe();
  }

  private static Mono<Void> prefetch(Container container, RolePolicy policy, CredentialCache cache) {
    return Mono.defer(() -> policy.decide(container) instanceof Decision.Bound bound
            ? cache.prefetch(bound.binding()) : Mono.<Void>empty())
        .onErrorResume(error -> {
          log.warn("prefetch for container {} failed: {}", container.name(), error.toString());
          return Mono.empty();
        });
  }
}
