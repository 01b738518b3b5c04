package dev.berth.proxy.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.proxy.policy.RoleBinding;
import dev.berth.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

final class CaffeineCredentialCacheTest {

  private static final RoleBinding APP = new RoleBinding("arn:aws:iam::123456789012:role/app", "web", null, "c1");
  private static final Duration HOUR = Duration.ofHours(1);

  private final ManualClock clock = ManualClock.at(Instant.parse("2026-11-26T06:00:00Z"));
  private final AtomicInteger fetches = new AtomicInteger();
  /** What the next fetch does; by default, issue an hour of credentials numbered by fetch. */
  private final AtomicReference<java.util.function.Function<Integer, Mono<Credentials>>> behaviour =
      new AtomicReference<>(this::issue);

  private final CredentialCache cache = CredentialCache.caffeine(
      binding -> Mono.defer(() -> behaviour.get().apply(fetches.incrementAndGet())),
      CredentialCache.Settings.defaults(), clock);

  private Mono<Credentials> issue(int n) {
    return Mono.just(new Credentials("ASIA" + n, "secret", "token", clock.instant().plus(HOUR), clock.instant(), "123456789012"));
  }

  private static Mono<Credentials> deny(int n) {
    return Mono.error(new CredentialException("AccessDenied", "not authorized", false));
  }

  private Credentials get() {
    return cache.get(APP).block(Duration.ofSeconds(5));
  }

  @Test
  void get_thousandConcurrentFirstRequests_oneFetch() {
    Sinks.One<Credentials> sts = Sinks.one();
    behaviour.set(n -> sts.asMono());
    List<AtomicReference<Credentials>> answers = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      AtomicReference<Credentials> answer = new AtomicReference<>();
      answers.add(answer);
      cache.get(APP).subscribe(answer::set);
    }
    Credentials issued = issue(1).block();
    sts.tryEmitValue(issued);
    assertThat(fetches).hasValue(1);
    assertThat(answers).allSatisfy(answer -> assertThat(answer.get()).isSameAs(issued));
  }

  @Test
  void get_cancelledWaiter_doesNotCancelTheSharedFetch() {
    Sinks.One<Credentials> sts = Sinks.one();
    behaviour.set(n -> sts.asMono());
    cache.get(APP).subscribe().dispose();
    AtomicReference<Credentials> second = new AtomicReference<>();
    cache.get(APP).subscribe(second::set);
    sts.tryEmitValue(issue(1).block());
    assertThat(second.get()).isNotNull();
    assertThat(fetches).hasValue(1);
  }

  @Test
  void get_withinRefreshWindow_servesCurrentAndRefreshesOnce() {
    Credentials first = get();
    clock.advance(Duration.ofMinutes(24));
    assertThat(get()).isSameAs(first);
    assertThat(fetches).hasValue(1);

    clock.advance(Duration.ofMinutes(2)); // 34 minutes left: inside the 35-minute refresh window
    Credentials during = get();
    assertThat(during.remaining(clock.instant())).isGreaterThanOrEqualTo(Duration.ofMinutes(30));
    assertThat(fetches).hasValue(2);
    assertThat(get().accessKeyId()).isEqualTo("ASIA2");
    assertThat(fetches).hasValue(2);
  }

  @Test
  void get_idleUntilUnder30MinutesLeft_fetchesNewInsteadOfServingOld() {
    get();
    clock.advance(Duration.ofMinutes(31)); // 29 minutes left, never read in between
    Credentials served = get();
    assertThat(served.accessKeyId()).isEqualTo("ASIA2");
    assertThat(served.remaining(clock.instant())).isGreaterThanOrEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void get_refreshFails_servesCurrentAndBacksOff() {
    Credentials first = get();
    behaviour.set(CaffeineCredentialCacheTest::deny);
    clock.advance(Duration.ofMinutes(26));
    assertThat(get()).isSameAs(first);
    assertThat(fetches).hasValue(2);
    assertThat(get()).isSameAs(first);
    assertThat(fetches).as("no retry before the backoff has passed").hasValue(2);

    clock.advance(Duration.ofSeconds(1));
    assertThat(get()).isSameAs(first);
    assertThat(fetches).hasValue(3);
    clock.advance(Duration.ofSeconds(1));
    get();
    assertThat(fetches).as("the second backoff is two seconds").hasValue(3);

    behaviour.set(this::issue);
    clock.advance(Duration.ofSeconds(1));
    get();
    assertThat(get().accessKeyId()).isEqualTo("ASIA4");
  }

  @Test
  void get_nothingValidLeft_failsWithReason() {
    get();
    behaviour.set(CaffeineCredentialCacheTest::deny);
    clock.advance(Duration.ofMinutes(31));
    assertThatThrownBy(this::get).isInstanceOf(CredentialException.class).hasMessageContaining("not authorized");
  }

  @Test
  void get_failureRememberedBriefly() {
    behaviour.set(CaffeineCredentialCacheTest::deny);
    assertThatThrownBy(this::get).isInstanceOf(CredentialException.class);
    assertThatThrownBy(this::get).isInstanceOf(CredentialException.class);
    assertThat(fetches).hasValue(1);
    clock.advance(Duration.ofSeconds(10));
    behaviour.set(this::issue);
    assertThat(get().accessKeyId()).isEqualTo("ASIA2");
  }

  @Test
  void get_unexpectedError_becomesCredentialException() {
    behaviour.set(n -> Mono.error(new IllegalStateException("boom")));
    assertThatThrownBy(this::get).isInstanceOf(CredentialException.class).hasMessageContaining("boom");
  }

  @Test
  void evictContainer_dropsItsBindingsOnly() {
    RoleBinding other = new RoleBinding(APP.roleArn(), "api", null, "c2");
    get();
    cache.get(other).block();
    cache.evictContainer("c1");
    assertThat(cache.size()).isEqualTo(1);
    get();
    assertThat(fetches).hasValue(3);
  }

  @Test
  void prefetch_makesFirstGetAHit() {
    cache.prefetch(APP).block(Duration.ofSeconds(5));
    assertThat(fetches).hasValue(1);
    get();
    assertThat(fetches).hasValue(1);
  }

  @Test
  void settings_refreshNotAfterMinValidity_rejected() {
    assertThatThrownBy(() -> new CredentialCache.Settings(Duration.ofMinutes(30), Duration.ofMinutes(30),
        Duration.ofSeconds(1), Duration.ofSeconds(1), 10)).hasMessageContaining("refreshAhead");
  }
}
