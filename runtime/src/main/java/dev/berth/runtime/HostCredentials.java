package dev.berth.runtime;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.AwsClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;

/**
 * The daemon's own AWS credentials, for SDK clients whose calls start on an event loop: resolved
 * off the loop, served from memory, and refreshed ahead of expiry in the background.
 *
 * <p>Why: the SDK resolves a client's credentials at the start of every call, on the calling
 * thread, and (2.57) waits for them there too (its user-agent stage joins the identity future). The
 * default chain may block: on EC2 it asks the instance's metadata service over blocking HTTP, at the
 * first call and at each refresh; elsewhere it reads profile files or runs a process. So the chain
 * is only ever asked on {@code boundedElastic}; a call finds credentials already in memory, or, when
 * none are usable yet, {@link #ready()} (or {@link #readyFor}) waits for them without blocking and
 * lets the call go on from the thread that resolved them.
 *
 * <pre>{@code
 * HostCredentials host = HostCredentials.defaultChain();
 * StsAsyncClient sts = StsAsyncClient.builder().credentialsProvider(host) ... .build();
 * Mono<AssumeRoleResponse> call = host.ready().then(Mono.fromFuture(() -> sts.assumeRole(request)));
 * }</pre>
 */
public final class HostCredentials implements AwsCredentialsProvider {

  private static final Logger log = LoggerFactory.getLogger(HostCredentials.class);

  /** Refreshed this long before they expire at the latest (EC2 offers new ones at least 5 minutes before). */
  static final Duration REFRESH_BEFORE = Duration.ofMinutes(15);
  /** Not handed out in their last minute: a call signed with them could arrive after it. */
  static final Duration USABLE_BEFORE = Duration.ofMinutes(1);
  /** Credentials without an expiry (keys in the environment or a profile) are read again this often. */
  static final Duration REREAD_STATIC = Duration.ofMinutes(10);
  /** After a failed background refresh, the next waits this long. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(10);
  /** Refreshes that found the same credentials again wait at least this long. */
  static final Duration MIN_REFRESH_INTERVAL = Duration.ofMinutes(1);

  private final AwsCredentialsProvider chain;
  private final Clock clock;
  private final Scheduler resolver;
  private final AtomicReference<CompletableFuture<AwsCredentials>> resolving = new AtomicReference<>();
  private volatile Held held;
  private volatile Instant nextAttempt = Instant.MIN;

  private HostCredentials(AwsCredentialsProvider chain, Clock clock, Scheduler resolver) {
    this.chain = Objects.requireNonNull(chain, "chain");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.resolver = Objects.requireNonNull(resolver, "resolver");
  }

  /**
   * The SDK's default chain (environment, system properties, web identity, profile, container,
   * instance profile), resolved off the loop.
   *
   * @return a new provider; nothing is resolved until the first {@link #ready()} or call
   */
  public static HostCredentials defaultChain() {
    return of(DefaultCredentialsProvider.builder().build());
  }

  /**
   * Any provider, resolved off the loop.
   *
   * @param chain where the credentials come from; may block
   * @return a new provider
   */
  public static HostCredentials of(AwsCredentialsProvider chain) {
    return chain instanceof HostCredentials already ? already : new HostCredentials(chain, Clock.systemUTC(),
        Schedulers.boundedElastic());
  }

  static HostCredentials of(AwsCredentialsProvider chain, Clock clock, Scheduler resolver) {
    return new HostCredentials(chain, clock, resolver);
  }

  /**
   * Completes once usable credentials are in memory: at once when they are (starting a background
   * refresh when one is due), else when a resolution off the loop has finished, on its thread; or
   * with its error. A call made after it does not block for credentials.
   *
   * @return a {@code Mono} that completes empty, or with the chain's error
   */
  public Mono<Void> ready() {
    Held now = held;
    if (now != null && now.usableAt(clock.instant())) {
      refreshIfDue(now);
      return Mono.empty();
    }
    return Mono.fromFuture(resolve(), true).then();
  }

  /**
   * {@link #ready()} for the credentials of {@code client}, when they are a {@code HostCredentials};
   * otherwise completes at once.
   *
   * @param client an SDK client
   * @return a {@code Mono} that completes empty, or with the chain's error
   */
  public static Mono<Void> readyFor(AwsClient client) {
    return client.serviceClientConfiguration().credentialsProvider() instanceof HostCredentials host
        ? host.ready() : Mono.empty();
  }

  /** For callers that may block: credentials in memory, else resolved on the calling thread. */
  @Override
  public AwsCredentials resolveCredentials() {
    Held now = held;
    if (now != null && now.usableAt(clock.instant())) {
      refreshIfDue(now);
      return now.credentials();
    }
    AwsCredentials fresh = chain.resolveCredentials();
    held = hold(fresh);
    return fresh;
  }

  /**
   * Credentials in memory as a completed future; when none are usable, the resolution under way
   * (which the SDK then waits for on the calling thread: call {@link #ready()} first on a loop).
   */
  @Override
  public CompletableFuture<AwsCredentialsIdentity> resolveIdentity(ResolveIdentityRequest request) {
    Held now = held;
    if (now != null && now.usableAt(clock.instant())) {
      refreshIfDue(now);
      return CompletableFuture.completedFuture(now.credentials());
    }
    return resolve().thenApply(credentials -> credentials);
  }

  private void refreshIfDue(Held now) {
    Instant at = clock.instant();
    if (!at.isBefore(now.refreshAt()) && !at.isBefore(nextAttempt)) {
      resolve();
    }
  }

  /** The one resolution under way, started on {@code boundedElastic} if there is none. */
  private CompletableFuture<AwsCredentials> resolve() {
    while (true) {
      CompletableFuture<AwsCredentials> running = resolving.get();
      if (running != null) {
        return running;
      }
      CompletableFuture<AwsCredentials> mine = new CompletableFuture<>();
      if (resolving.compareAndSet(null, mine)) {
        resolver.schedule(() -> resolveInto(mine));
        return mine;
      }
    }
  }

  private void resolveInto(CompletableFuture<AwsCredentials> result) {
    AwsCredentials fresh;
    try {
      fresh = chain.resolveCredentials();
    } catch (RuntimeException e) {
      nextAttempt = clock.instant().plus(RETRY_AFTER);
      Held current = held;
      log.warn("could not resolve the host's AWS credentials ({}); {}", e.getMessage(), current == null
          ? "no credentials yet" : "the current ones stay in use while they are valid");
      resolving.compareAndSet(result, null);
      result.completeExceptionally(e);
      return;
    }
    held = hold(fresh);
    resolving.compareAndSet(result, null);
    result.complete(fresh);
  }

  private Held hold(AwsCredentials credentials) {
    Instant now = clock.instant();
    Instant expiry = credentials.expirationTime().orElse(null);
    if (expiry == null) {
      return new Held(credentials, now.plus(REREAD_STATIC), Instant.MAX);
    }
    // Half-way through their life or 15 minutes before expiry, whichever comes first; a chain that
    // still has the same ones cached is asked again a minute later, not on every call.
    Instant halfway = now.plus(Duration.between(now, expiry).dividedBy(2));
    Instant refreshAt = min(halfway, expiry.minus(REFRESH_BEFORE));
    if (refreshAt.isBefore(now.plus(MIN_REFRESH_INTERVAL))) {
      refreshAt = now.plus(MIN_REFRESH_INTERVAL);
    }
    return new Held(credentials, refreshAt, expiry.minus(USABLE_BEFORE));
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  @Override
  public String toString() {
    return "HostCredentials(" + chain + ")";
  }

  /** Credentials in memory, when to refresh them and until when to hand them out. */
  private record Held(AwsCredentials credentials, Instant refreshAt, Instant usableUntil) {
    boolean usableAt(Instant now) {
      return now.isBefore(usableUntil);
    }
  }
}
