package dev.berth.encryptor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

final class DeadlineTest {

  @Test
  void remaining_shrinksWithTheClock_neverNegative() {
    ManualClock clock = ManualClock.at(Instant.parse("2026-03-01T12:00:00Z"));
    Deadline deadline = Deadline.after(Duration.ofHours(2), clock);

    clock.advance(Duration.ofMinutes(90));
    assertThat(deadline.remaining()).isEqualTo(Duration.ofMinutes(30));
    clock.advance(Duration.ofHours(1));
    assertThat(deadline.remaining()).isZero();
  }

  /** The run's limit as the pipeline applies it ({@code Mono.timeout}), in virtual time: a two-hour copy never ends. */
  @Test
  void timeout_virtualTime_runEndsAtTheDeadline() {
    StepVerifier.withVirtualTime(() -> Mono.never().timeout(Duration.ofHours(2)))
        .expectSubscription()
        .expectNoEvent(Duration.ofMinutes(119))
        .thenAwait(Duration.ofMinutes(1))
        .expectError(java.util.concurrent.TimeoutException.class)
        .verify(Duration.ofSeconds(5));
  }

  @Test
  void blockHound_isActive_inThisModule() {
    Mono<String> blocking = Mono.fromCallable(() -> {
      Thread.sleep(1);
      return "slept";
    }).subscribeOn(reactor.core.scheduler.Schedulers.parallel());

    StepVerifier.create(blocking).expectErrorMatches(e -> e.toString().contains("Blocking call")).verify(Duration.ofSeconds(5));
  }
}
