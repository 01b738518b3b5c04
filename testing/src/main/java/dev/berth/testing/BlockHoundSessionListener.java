package dev.berth.testing;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;

/**
 * Installs BlockHound once, before any test runs, in every module that has berth-testing on its
 * test class path (it is registered in {@code META-INF/services}), so a blocking call on an event
 * loop — the proxy's or an emulator's — fails the test that caused it.
 */
public final class BlockHoundSessionListener implements LauncherSessionListener {

  /** Called by the JUnit Platform through {@code META-INF/services}. */
  public BlockHoundSessionListener() {}

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    BlockHound.install(builder -> builder
        // The AWS SDK's Netty client closes its channel pools by waiting on Netty's
        // GlobalEventExecutor (SimpleChannelPool.close -> awaitUninterruptibly). That is the
        // SDK's own shutdown path, run when a test closes a client, not a request path.
        .allowBlockingCallsInside("io.netty.channel.pool.SimpleChannelPool", "close")
        // Netty's own buffer allocator (4.2's default) adds magazines under a brief StampedLock
        // when loop threads contend for one; two proxies in one test JVM made it park (CI).
        .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines")
        // Code under test may catch the error and carry on (a retry, a fallback, a log line with
        // its message only), so every detection also prints where it happened.
        .blockingMethodCallback(method -> {
          BlockingOperationError error = new BlockingOperationError(method);
          System.err.println("BlockHound: a blocking call on " + Thread.currentThread().getName() + ":");
          error.printStackTrace();
          throw error;
        }));
  }
}
