package dev.berth.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.berth.testing.ManualClock;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

final class LogLimiterTest {

  private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

  private final ManualClock clock = ManualClock.at(Instant.parse("2026-11-26T06:00:00Z"));
  private final Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());

  private LogLimiter limiter(int lines, int sets) {
    return new LogLimiter(TEN_SECONDS, lines, sets, ticker);
  }

  @Test
  void admit_firstLineOfEachKey_goesThrough() throws Exception {
    LogLimiter limiter = limiter(100, 256);
    assertThat(limiter.admit(InetAddress.getByName("172.17.0.2"))).isEmpty();
    assertThat(limiter.admit(InetAddress.getByName("172.17.0.3"))).isEmpty();
    assertThat(limiter.admit(InetAddress.getByName("fd00::2"))).isEmpty();
    assertThat(limiter.admit(InetAddress.getByName("172.17.0.2"))).as("an equal address is the same key").isNull();
  }

  @Test
  void admit_repeatsWithinInterval_leftOutThenCounted() {
    LogLimiter limiter = limiter(100, 256);
    assertThat(limiter.admit("a")).isEmpty();
    clock.advance(Duration.ofSeconds(9));
    assertThat(limiter.admit("a")).isNull();
    assertThat(limiter.admit("a")).isNull();
    assertThat(limiter.admit("a")).isNull();
    clock.advance(Duration.ofSeconds(1));
    assertThat(limiter.admit("a")).isEqualTo(" (3 similar lines suppressed)");
    assertThat(limiter.admit("a")).isNull();
    clock.advance(TEN_SECONDS);
    assertThat(limiter.admit("a")).isEqualTo(" (1 similar line suppressed)");
    clock.advance(TEN_SECONDS);
    assertThat(limiter.admit("a")).as("nothing left out since the last line").isEmpty();
  }

  @Test
  void admit_oneKeyFlooding_othersStillLoggedAndCountedApart() {
    LogLimiter limiter = limiter(100, 256);
    limiter.admit("flood");
    for (int i = 0; i < 1000; i++) {
      limiter.admit("flood");
    }
    assertThat(limiter.admit("other")).isEmpty();
    assertThat(limiter.admit("other")).isNull();
    clock.advance(TEN_SECONDS);
    assertThat(limiter.admit("other")).isEqualTo(" (1 similar line suppressed)");
    assertThat(limiter.admit("flood")).isEqualTo(" (1000 similar lines suppressed)");
  }

  @Test
  void admit_budgetSpent_newKeysHeldBackUntilItRefills() {
    LogLimiter limiter = limiter(2, 256); // one line per 5 s in all, at most 2 at once
    assertThat(limiter.admit("a")).isEmpty();
    assertThat(limiter.admit("b")).isEmpty();
    assertThat(limiter.admit("c")).as("over the budget").isNull();
    assertThat(limiter.admit("c")).isNull();
    clock.advance(Duration.ofSeconds(5));
    assertThat(limiter.admit("c")).as("first of its lines to go through, counting those held back")
        .isEqualTo(" (2 similar lines suppressed)");
    assertThat(limiter.admit("d")).isNull();
    clock.advance(Duration.ofSeconds(5));
    assertThat(limiter.admit("d")).isEqualTo(" (1 similar line suppressed)");
  }

  @Test
  void admit_budgetSpent_knownKeyKeepsItsCount() {
    LogLimiter limiter = limiter(2, 256);
    limiter.admit("a");
    limiter.admit("a");
    clock.advance(TEN_SECONDS);
    limiter.admit("b");
    limiter.admit("c");
    assertThat(limiter.admit("a")).as("window over, budget spent").isNull();
    clock.advance(Duration.ofSeconds(5));
    assertThat(limiter.admit("a")).isEqualTo(" (2 similar lines suppressed)");
  }

  @Test
  void admit_setFull_oldestKeyReplacedAndNewAgain() {
    LogLimiter limiter = limiter(100, 1); // one set of four keys
    for (String key : List.of("k1", "k2", "k3", "k4")) {
      assertThat(limiter.admit(key)).isEmpty();
      clock.advance(Duration.ofMillis(1));
    }
    assertThat(limiter.admit("k5")).isEmpty();
    assertThat(limiter.admit("k2")).as("still known").isNull();
    assertThat(limiter.admit("k1")).as("replaced by k5, so new again").isEmpty();
  }

  @Test
  void admit_manyThreadsSameKey_oneLineAndExactCount() throws Exception {
    LogLimiter limiter = limiter(100, 256);
    int threads = 8;
    int each = 10_000;
    AtomicInteger through = new AtomicInteger();
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Thread> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread thread = new Thread(() -> {
        try {
          start.await();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        for (int i = 0; i < each; i++) {
          if (limiter.admit("same") != null) {
            through.incrementAndGet();
          }
        }
      });
      thread.start();
      running.add(thread);
    }
    for (Thread thread : running) {
      thread.join();
    }
    assertThat(through).hasValue(1);
    clock.advance(TEN_SECONDS);
    assertThat(limiter.admit("same")).isEqualTo(" (" + (threads * each - 1) + " similar lines suppressed)");
  }

  @Test
  void new_intervalNotPositive_rejected() {
    assertThatThrownBy(() -> new LogLimiter(Duration.ZERO, 1, 1, ticker))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("interval must be positive");
  }

  @Test
  void new_noLines_rejected() {
    assertThatThrownBy(() -> new LogLimiter(TEN_SECONDS, 0, 1, ticker))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lines must be at least 1");
  }

  @Test
  void new_setsNotPowerOfTwo_rejected() {
    assertThatThrownBy(() -> new LogLimiter(TEN_SECONDS, 1, 3, ticker))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sets must be a power of two");
  }
}
