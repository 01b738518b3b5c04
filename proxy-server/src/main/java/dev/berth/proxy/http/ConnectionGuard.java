package dev.berth.proxy.http;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.ChannelPipelineConfigurer;
import reactor.netty.ConnectionObserver;
import reactor.netty.NettyPipeline;

/**
 * What every accepted client connection goes through before its first request: the connection
 * limits, in all and per caller (per source address, i.e. per container), so that one container
 * holding its share changes nothing for the others; a connection past either limit is closed at
 * once. It also logs, rate-limited per caller, each request the HTTP decoder refuses (Reactor Netty
 * answers those 400, 414 or 431 itself), and hands pipelined requests on one at a time.
 *
 * <pre>{@code
 * HttpServer.create()
 *     .doOnChannelInit(ConnectionGuard.create(10_000, ConnectionGuard.DEFAULT_MAX_PER_CALLER))
 *     .handle(handler);
 * }</pre>
 */
public final class ConnectionGuard implements ChannelPipelineConfigurer {

  /**
   * Connections one caller may hold by default: SDKs keep one or two, so this leaves room for a busy
   * multi-process container while 40 such containers still fit in a limit of 10,000.
   */
  public static final int DEFAULT_MAX_PER_CALLER = 256;

  private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);

  private final int max;
  private final int maxPerCaller;
  private final AtomicInteger open = new AtomicInteger();
  private final CallerCounts perCaller;
  private final LogLimiter refusalLines = LogLimiter.standard();
  private final RefusedRequestLog refusedRequests = new RefusedRequestLog();

  private ConnectionGuard(int max, int maxPerCaller) {
    if (max < 1 || maxPerCaller < 1) {
      throw new IllegalArgumentException("connection limits must be at least 1, were " + max + " and " + maxPerCaller);
    }
    this.max = max;
    this.maxPerCaller = maxPerCaller;
    this.perCaller = new CallerCounts(maxPerCaller);
  }

  /**
   * A guard admitting at most {@code maxConnections} connections at once, of which at most
   * {@code maxPerCaller} from any one source address.
   */
  public static ConnectionGuard create(int maxConnections, int maxPerCaller) {
    return new ConnectionGuard(maxConnections, maxPerCaller);
  }

  @Override
  public void onChannelInit(ConnectionObserver observer, Channel channel, SocketAddress remote) {
    InetAddress caller = CallerAddress.of(channel.remoteAddress());
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      refuse(channel, caller, "the proxy holds its most connections (--max-connections " + max + ")");
      return;
    }
    if (!perCaller.tryAcquire(caller)) {
      open.decrementAndGet();
      refuse(channel, caller, "it holds the most one caller may (--max-connections-per-caller " + maxPerCaller + ")");
      return;
    }
    channel.closeFuture().addListener(closed -> {
      open.decrementAndGet();
      perCaller.release(caller);
    });
    // Right behind the decoder, before Reactor Netty's handler answers (and consumes) what it refused.
    if (channel.pipeline().get(NettyPipeline.HttpCodec) != null) {
      channel.pipeline().addAfter(NettyPipeline.HttpCodec, RefusedRequestLog.NAME, refusedRequests);
      channel.pipeline().addAfter(RefusedRequestLog.NAME, OneRequestAtATime.NAME, new OneRequestAtATime());
    }
  }

  private void refuse(Channel channel, InetAddress caller, String why) {
    // A flood of connections is a flood of refusals: one line per caller, then at most one per 10 s.
    String suppressed = refusalLines.admit(caller);
    if (suppressed != null) {
      log.warn("closing a new connection from {}: {}{}", caller.getHostAddress(), why, suppressed);
    }
    channel.close();
  }
}
