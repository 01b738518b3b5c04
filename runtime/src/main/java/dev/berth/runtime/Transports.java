package dev.berth.runtime;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.util.concurrent.ThreadFactory;
import org.slf4j.LoggerFactory;

/*
 * Design notes. The AWS SDK (2.57) tells a loop's transport by its class and knows only
 * EpollEventLoopGroup and NioEventLoopGroup: Netty 4.2's MultiThreadIoEventLoopGroup, which is what
 * Reactor Netty's LoopResources.create makes, is refused ("Unknown event loop group"), even with an
 * explicit channel factory, because the SDK also resolves a datagram channel from the class. So
 * Berth's own loop is one of the two classes Netty 4.2 deprecates but keeps, and a caller's loop
 * must be one of them too.
 */

/** The two transports the AWS SDK's Netty client runs on: epoll where the kernel offers it, else NIO. */
@SuppressWarnings("deprecation") // the only group classes the AWS SDK recognises, see above
final class Transports {

  private Transports() {}

  static EventLoopGroup newLoop(int threads, ThreadFactory threadFactory) {
    if (Epoll.isAvailable()) {
      return new EpollEventLoopGroup(threads, threadFactory);
    }
    // Works, but an operator should know why (e.g. a temporary directory Netty cannot load its library from).
    LoggerFactory.getLogger(BerthRuntime.class).warn("Netty's native epoll transport is unavailable ({}); the event loop runs on NIO",
        Epoll.unavailabilityCause().toString());
    return new NioEventLoopGroup(threads, threadFactory);
  }

  /** {@code loop}, when the AWS SDK can run on it; otherwise a one-line error naming the fix. */
  static EventLoopGroup checked(EventLoopGroup loop) {
    if (loop instanceof EpollEventLoopGroup || loop instanceof NioEventLoopGroup) {
      return loop;
    }
    throw new IllegalArgumentException("the AWS SDK runs only on an EpollEventLoopGroup or NioEventLoopGroup, not on a "
        + loop.getClass().getName() + ": hand Berth LoopResources that make one (e.g. BerthRuntime.newLoopResources(1)), "
        + "or let Berth make its own loop");
  }
}
