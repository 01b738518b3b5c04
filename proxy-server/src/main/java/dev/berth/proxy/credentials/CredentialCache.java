package dev.berth.proxy.credentials;

import dev.berth.proxy.policy.RoleBinding;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * Credentials per role binding, shared by every request for that binding.
 *
 * <ul>
 *   <li>One fetch per binding however many requests arrive at once.
 *   <li>Every answer has at least {@link Settings#minValidity()} left; entries are refreshed once
 *       less than {@link Settings#refreshAhead()} is left, in the background, while the current
 *       credentials are still handed out.
 *   <li>A failed refresh keeps the current credentials while they are valid and tries again with
 *       exponential backoff.
 *   <li>A failed first fetch is remembered for {@link Settings#failureTtl()}, so that a
 *       misconfigured role cannot flood STS.
 * </ul>
 *
 * <pre>{@code
 * CredentialCache cache = CredentialCache.caffeine(stsSource, CredentialCache.Settings.defaults());
 * cache.get(binding).subscribe(credentials -> ...);
 * }</pre>
 */
public interface CredentialCache {

  /** Credentials for {@code binding} with at least the minimum validity left, or a {@link CredentialException}. */
  Mono<Credentials> get(RoleBinding binding);

  /**
   * Fetches credentials for {@code binding} when subscribed, so that the first request finds them;
   * completes once they are cached or the fetch failed (a failure is remembered as {@link #get}'s
   * would be, and reported to the caller that asks).
   */
  Mono<Void> prefetch(RoleBinding binding);

  /** Forgets every binding of the container {@code containerId}, e.g. when it stops. */
  void evictContainer(String containerId);

  /** How many bindings are cached now. */
  long size();

  /**
   * The cache's timing.
   *
   * @param minValidity the least validity any answer has left
   * @param refreshAhead refresh once less than this is left; more than {@code minValidity}
   * @param failureTtl how long a failed first fetch is remembered
   * @param maxBackoff the longest wait between refresh attempts after failures
   * @param maximumSize the most bindings kept
   */
  record Settings(
      Duration minValidity, Duration refreshAhead, Duration failureTtl, Duration maxBackoff, long maximumSize) {

    public Settings {
      Objects.requireNonNull(minValidity, "minValidity");
      Objects.requireNonNull(refreshAhead, "refreshAhead");
      Objects.requireNonNull(failureTtl, "failureTtl");
      Objects.requireNonNull(maxBackoff, "maxBackoff");
      if (refreshAhead.compareTo(minValidity) <= 0) {
        throw new IllegalArgumentException(
            "refreshAhead (" + refreshAhead + ") must be longer than minValidity (" + minValidity + ")");
      }
      if (maximumSize < 1) {
        throw new IllegalArgumentException("maximumSize must be positive, was " + maximumSize);
      }
    }

    /**
     * Thirty minutes of validity at least (botocore re-fetches inside 15 + 10 minutes, the Java SDK
     * v1 inside 15), refresh with 35 minutes left, failures remembered 10 s, backoff up to 1 minute.
     */
    public static Settings defaults() {
      return new Settings(
          Duration.ofMinutes(30), Duration.ofMinutes(35), Duration.ofSeconds(10), Duration.ofMinutes(1), 100_000);
    }
  }

  /** A cache on Caffeine's {@code AsyncCache}, timed by the system clock. */
  static CredentialCache caffeine(CredentialSource source, Settings settings) {
    return new CaffeineCredentialCache(source, settings, Clock.systemUTC(), null);
  }

  /** As {@link #caffeine(CredentialSource, Settings)}, timed by {@code clock}, so tests can move time. */
  static CredentialCache caffeine(CredentialSource source, Settings settings, Clock clock) {
    return new CaffeineCredentialCache(source, settings, clock, null);
  }

  /** As {@link #caffeine(CredentialSource, Settings, Clock)}, with its hits, misses and loads on {@code meters}. */
  static CredentialCache caffeine(CredentialSource source, Settings settings, Clock clock, MeterRegistry meters) {
    return new CaffeineCredentialCache(source, settings, clock, meters);
  }
}
