package dev.berth.proxy.credentials;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.berth.proxy.policy.RoleBinding;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/*
 * Design notes. The cache holds futures of Entry, so concurrent first requests share one fetch
 * (Caffeine's AsyncCache). Entry carries its own refresh schedule: a refresh is started by the
 * first read past refreshAt, and a failed refresh keeps the old credentials with refreshAt pushed
 * back (exponential backoff), so an STS outage costs one call per binding per backoff step.
 * Entries expire when they can no longer be served (expiration - minValidity), so a read never
 * sees credentials with less than minValidity left. Failed first fetches are cached for failureTtl.
 *
 * Caffeine's executor is the calling thread (the event loop): all Caffeine hands it here is its
 * own maintenance (draining buffers, evicting, expiring), which is short and runs only once
 * tryLock has taken the eviction lock, so it never waits. Loads and refreshes do not use the
 * executor: Caffeine calls the Loader on the calling thread, the Loader starts the non-blocking
 * STS call and returns its future, and that future's completion (on the STS client's loop) stores
 * the result. Nothing here wants a thread of its own: no removal listener, no refreshAfterWrite, no
 * Scheduler; refresh-ahead and backoff live in Entry and are acted on by get.
 */
final class CaffeineCredentialCache implements CredentialCache {

  private static final Logger log = LoggerFactory.getLogger(CredentialCache.class);
  private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);

  sealed interface Entry {}

  record Issued(Credentials credentials, Instant refreshAt, int failedRefreshes) implements Entry {}

  record Failed(CredentialException error, Instant until) implements Entry {}

  private final CredentialSource source;
  private final Settings settings;
  private final Clock clock;
  private final AsyncLoadingCache<RoleBinding, Entry> cache;

  CaffeineCredentialCache(CredentialSource source, Settings settings, Clock clock, MeterRegistry meters) {
    this.source = source;
    this.settings = settings;
    this.clock = clock;
    this.cache = Caffeine.newBuilder()
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .maximumSize(settings.maximumSize())
        .expireAfter(new UntilUnservable())
        .executor(Runnable::run)
        .recordStats()
        .buildAsync(new Loader());
    if (meters != null) {
      // berth_credentials_cache_gets_total{result="hit"|"miss"}, evictions, loads and their time.
      CaffeineCacheMetrics.monitor(meters, cache, "berth.credentials");
    }
  }

  @Override
  public Mono<Credentials> get(RoleBinding binding) {
    // suppressCancel: the future is shared by every waiter; one caller going away must not cancel it.
    return Mono.fromFuture(cache.get(binding), true).flatMap(entry -> answer(binding, entry));
  }

  private Mono<Credentials> answer(RoleBinding binding, Entry entry) {
    Instant now = clock.instant();
    if (entry instanceof Failed failed) {
      return Mono.error(failed.error());
    }
    Issued issued = (Issued) entry;
    if (!now.isBefore(issued.refreshAt())) {
      cache.synchronous().refresh(binding); // Caffeine shares one in-flight refresh per key
    }
    if (issued.credentials().remaining(now).compareTo(settings.minValidity()) < 0) {
      // Only reachable in the instant between expiry and eviction.
      return Mono.error(new CredentialException(
          "Expired", "credentials for " + binding.roleArn() + " are too close to expiry; refreshing", true));
    }
    return Mono.just(issued.credentials());
  }

  @Override
  public Mono<Void> prefetch(RoleBinding binding) {
    return Mono.fromFuture(() -> cache.get(binding), true).then().onErrorResume(failed -> Mono.empty());
  }

  @Override
  public void evictContainer(String containerId) {
    cache.asMap().keySet().removeIf(binding -> containerId.equals(binding.containerId()));
  }

  @Override
  public long size() {
    return cache.synchronous().estimatedSize();
  }

  private Mono<Entry> fetch(RoleBinding binding) {
    return source.fetch(binding)
        .<Entry>map(credentials -> new Issued(credentials, refreshAt(credentials), 0))
        .onErrorResume(error -> {
          CredentialException failure = error instanceof CredentialException known
              ? known
              : new CredentialException("InternalError", String.valueOf(error.getMessage()), true, error);
          return Mono.just(new Failed(failure, clock.instant().plus(settings.failureTtl())));
        });
  }

  private Instant refreshAt(Credentials credentials) {
    return credentials.expiration().minus(settings.refreshAhead());
  }

  private Entry keepAfterFailedRefresh(RoleBinding binding, Issued old, Failed failed) {
    int attempts = old.failedRefreshes() + 1;
    Duration backoff = FIRST_BACKOFF.multipliedBy(1L << Math.min(attempts - 1, 20));
    if (backoff.compareTo(settings.maxBackoff()) > 0) {
      backoff = settings.maxBackoff();
    }
    log.warn("refresh of {} for {} failed ({}: {}); serving current credentials until {}, next try in {}",
        binding.roleArn(), binding.sessionName(), failed.error().code(), failed.error().getMessage(),
        old.credentials().expiration().minus(settings.minValidity()), backoff);
    return new Issued(old.credentials(), clock.instant().plus(backoff), attempts);
  }

  private final class Loader implements AsyncCacheLoader<RoleBinding, Entry> {
    @Override
    public CompletableFuture<Entry> asyncLoad(RoleBinding binding, Executor executor) {
      return fetch(binding).toFuture();
    }

    @Override
    public CompletableFuture<Entry> asyncReload(RoleBinding binding, Entry old, Executor executor) {
      return fetch(binding)
          .map(fresh -> fresh instanceof Failed failed && old instanceof Issued issued && servable(issued)
              ? keepAfterFailedRefresh(binding, issued, failed)
              : fresh)
          .toFuture();
    }
  }

  private boolean servable(Issued issued) {
    return issued.credentials().remaining(clock.instant()).compareTo(settings.minValidity()) >= 0;
  }

  /** Entries live while they can be served: until minValidity before expiry, or failureTtl for failures. */
  private final class UntilUnservable implements Expiry<RoleBinding, Entry> {
    @Override
    public long expireAfterCreate(RoleBinding key, Entry entry, long currentTime) {
      Instant until = entry instanceof Issued issued
          ? issued.credentials().expiration().minus(settings.minValidity())
          : ((Failed) entry).until();
      return Math.max(0, Duration.between(clock.instant(), until).toNanos());
    }

    @Override
    public long expireAfterUpdate(RoleBinding key, Entry entry, long currentTime, long currentDuration) {
      return expireAfterCreate(key, entry, currentTime);
    }

    @Override
    public long expireAfterRead(RoleBinding key, Entry entry, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }
}
