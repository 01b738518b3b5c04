package dev.berth.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

final class BlockHoundSessionListenerTest {

  @Test
  void install_blockingCallOnNonBlockingThread_fails() {
    Mono<Void> sleepy = Mono.<Void>fromRunnable(() -> {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }).subscribeOn(Schedulers.parallel());

    assertThatThrownBy(() -> sleepy.block(Duration.ofSeconds(10)))
        .hasMessageContaining("Blocking call!");
  }
}
