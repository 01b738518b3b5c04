package dev.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.berth.testing.StsEmulator;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Closing the proxy releases every part, even when releasing one of them fails. */
final class ProxyCloseTest {

  @Test
  void close_oneDisposalFails_theOthersStillReleased() throws IOException {
    try (StsEmulator sts = StsEmulator.start()) {
      DelegatingIndex index = new DelegatingIndex(starts -> starts);
      BerthProxy proxy = BerthProxy.builder(ProxyHarness.config("unix:///nonexistent.sock", sts, null, Duration.ZERO,
          false, 100)).containers(index).start();

      // On a thread that must not block, waiting for the server to stop fails (as a timeout would).
      Throwable failure = catchThrowable(() -> Mono.fromRunnable(proxy::close).subscribeOn(Schedulers.parallel())
          .block(Duration.ofSeconds(30)));

      assertThat(index.closed).as("the container index was closed (close failed with %s)", failure).isTrue();
      // Then again from a thread that may block: what is left is released, what was released stays so.
      proxy.close();
      assertThat(catchThrowable(() -> new Socket(proxy.address().getAddress(), proxy.address().getPort()).close()))
          .as("the listener is closed").isInstanceOf(IOException.class);
    }
  }
}
