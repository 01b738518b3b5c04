package dev.berth.proxy.http;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import reactor.core.publisher.Mono;

/*
 * Design notes. The real metadata service throttles each instance (AWS's advice is to cache what
 * it answers), and on a host with many containers the same few paths are asked for again and
 * again. So answers are kept for a short time and identical requests in flight are merged: however
 * many containers ask for placement/region at once, the upstream sees one request per path per
 * `ttl`. Only what is the same for every caller and safe to repeat is kept: 200 and 404 answers to
 * paths outside iam/ (those never get here). Errors, 401s and 5xx are not kept. The total kept is
 * bounded in bytes, so memory stays flat whatever callers ask for.
 */
final class CachingUpstream implements Upstream {

  static final long MAX_BYTES = 4L << 20;

  private final Upstream delegate;
  private final AsyncCache<String, Answer> answers;

  CachingUpstream(Upstream delegate, Duration ttl, Ticker ticker) {
    this.delegate = delegate;
    this.answers = Caffeine.newBuilder()
        .expireAfterWrite(ttl)
        .maximumWeight(MAX_BYTES)
        .weigher((String path, Answer answer) -> path.length() + answer.body().length)
        // Maintenance is cheap and non-blocking; running it on the caller's loop spares a thread wake-up.
        .executor(Runnable::run)
        .ticker(ticker)
        .buildAsync();
  }

  @Override
  public Mono<Answer> get(String pathAndQuery) {
    CompletableFuture<Answer> shared = answers.get(pathAndQuery, (path, executor) -> fetch(path));
    if (shared.isDone() && !shared.isCompletedExceptionally()) {
      Answer done = shared.join();
      if (!keep(done)) {
        // Completed before the cache stored it (a synchronous upstream), so fetch() could not drop it.
        answers.asMap().remove(pathAndQuery, shared);
      }
      return Mono.just(done);
    }
    // One caller going away must not cancel the request the others wait on.
    return Mono.fromFuture(shared, true);
  }

  @Override
  public void close() {
    answers.synchronous().invalidateAll();
    delegate.close();
  }

  private CompletableFuture<Answer> fetch(String pathAndQuery) {
    CompletableFuture<Answer> fetched = delegate.get(pathAndQuery).toFuture();
    fetched.thenAccept(answer -> {
      if (!keep(answer)) {
        answers.asMap().remove(pathAndQuery, fetched);
      }
    });
    return fetched;
  }

  private static boolean keep(Answer answer) {
    return answer.status() == 200 || answer.status() == 404;
  }
}
