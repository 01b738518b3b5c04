package dev.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;

/** Proves the suite runs under BlockHound: a blocking call on an event-loop thread fails. */
final class BlockHoundTest {

  @Test
  void sleepOnEventLoop_fails() throws Exception {
    EventLoopGroup loop = new EpollEventLoopGroup(1);
    try {
      var future = loop.submit(() -> {
        Thread.sleep(1);
        return null;
      });
      future.await(10, TimeUnit.SECONDS);
      assertThat(future.cause()).isInstanceOf(BlockingOperationError.class);
    } finally {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
