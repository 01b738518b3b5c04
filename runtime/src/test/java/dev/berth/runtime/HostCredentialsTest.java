package dev.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.core.exception.SdkClientException;

/** Resolution off the calling thread, served from memory, refreshed ahead of expiry; a fake clock, a hand-run resolver. */
final class HostCredentialsTest {

  private final ManualClock clock = ManualClock.at(Instant.parse("2026-12-02T12:00:00Z"));
  /** The resolver's queue: nothing resolves until the test runs it, as a boundedElastic thread would. */
  private final Deque<Runnable> resolver = new ArrayDeque<>();
  private final AtomicInteger asked = new AtomicInteger();
  private final List<Object> answers = new CopyOnWriteArrayList<>();
  private final HostCredentials host = HostCredentials.of(() -> {
    asked.incrementAndGet();
    Object next = answers.remove(0);
    if (next instanceof RuntimeException e) {
      throw e;
    }
    return (AwsCredentials) next;
  }, clock, Schedulers.fromExecutor(resolver::add));

  private AwsCredentials expiringIn(String id, Duration lifetime) {
    return AwsSessionCredentials.builder().accessKeyId(id).secretAccessKey("s").sessionToken("t")
        .expirationTime(clock.instant().plus(lifetime)).build();
  }

  private void runResolver() {
    while (!resolver.isEmpty()) {
      resolver.poll().run();
    }
  }

  /** Starts from {@code first} in memory. */
  private void holding(AwsCredentials first) {
    answers.add(first);
    host.ready().subscribe();
    runResolver();
  }

  private String served() {
    var identity = host.resolveIdentity();
    assertThat(identity).as("served from memory, never waited for").isCompleted();
    return identity.join().accessKeyId();
  }

  @Test
  void ready_resolvesOnTheResolverOnce_thenServedFromMemory() {
    answers.add(expiringIn("A", Duration.ofHours(6)));
    var first = host.ready().toFuture();
    var second = host.ready().toFuture();
    assertThat(first).isNotDone();
    assertThat(asked).hasValue(0);
    runResolver();
    assertThat(first).isCompleted();
    assertThat(second).isCompleted();
    assertThat(served()).isEqualTo("A");
    assertThat(served()).isEqualTo("A");
    assertThat(asked).hasValue(1);
  }

  @Test
  void refreshDue_servesCurrentAndRefreshesInTheBackground() {
    holding(expiringIn("A", Duration.ofHours(6)));
    clock.advance(Duration.ofHours(3));
    answers.add(expiringIn("B", Duration.ofHours(6)));
    assertThat(served()).isEqualTo("A");
    assertThat(served()).isEqualTo("A");
    runResolver();
    assertThat(asked).hasValue(2);
    assertThat(served()).isEqualTo("B");
  }

  @Test
  void refreshFails_currentServedUntilItsLastMinute_retriedAfterTenSeconds() {
    holding(expiringIn("A", Duration.ofMinutes(60)));
    clock.advance(Duration.ofMinutes(45));
    answers.add(SdkClientException.create("metadata service down"));
    assertThat(served()).isEqualTo("A");
    runResolver();
    assertThat(served()).isEqualTo("A");
    assertThat(resolver).as("no new attempt within 10 s").isEmpty();
    clock.advance(Duration.ofSeconds(10));
    answers.add(expiringIn("B", Duration.ofMinutes(60)));
    assertThat(served()).isEqualTo("A");
    runResolver();
    assertThat(served()).isEqualTo("B");
  }

  @Test
  void expired_readyResolvesAgain_errorsReachTheCaller() {
    holding(expiringIn("A", Duration.ofMinutes(20)));
    clock.advance(Duration.ofMinutes(19));
    answers.add(SdkClientException.create("no credentials"));
    var failed = host.ready().toFuture();
    runResolver();
    assertThatThrownBy(failed::join).hasRootCauseMessage("no credentials");
    answers.add(expiringIn("B", Duration.ofHours(1)));
    var ready = host.ready().toFuture();
    runResolver();
    assertThat(ready).isCompleted();
    assertThat(served()).isEqualTo("B");
  }

  @Test
  void staticKeys_servedWithoutExpiry_rereadEveryTenMinutes() {
    holding(AwsSessionCredentials.create("S", "s", "t"));
    clock.advance(Duration.ofDays(2));
    answers.add(AwsSessionCredentials.create("T", "s", "t"));
    assertThat(served()).isEqualTo("S");
    runResolver();
    assertThat(served()).isEqualTo("T");
  }

  @Test
  void of_hostCredentials_notWrappedTwice() {
    HostCredentials once = HostCredentials.defaultChain();
    assertThat(HostCredentials.of(once)).isSameAs(once);
  }
}
