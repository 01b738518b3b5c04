package dev.berth.proxy.http;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design notes. Reactor Netty answers a request its decoder refused (oversized line or headers, not
 * HTTP) and logs it at WARN with every header name, which lets a caller write thousands of lines a
 * second. The daemon switches that logger off (simplelogger.properties) and this handler, right
 * behind the decoder, logs one short line per caller instead, through the rate limiter; it only
 * looks, and passes every message on unchanged.
 */
@Sharable
final class RefusedRequestLog extends ChannelInboundHandlerAdapter {

  static final String NAME = "berth.refusedRequestLog";
  private static final Logger log = LoggerFactory.getLogger(RefusedRequestLog.class);
  private static final int MAX_REASON = 120;

  private final LogLimiter lines = LogLimiter.standard();

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpObject http && http.decoderResult().isFailure()) {
      InetAddress caller = CallerAddress.of(ctx.channel().remoteAddress());
      String suppressed = lines.admit(caller);
      if (suppressed != null) {
        log.info("refused a malformed request from {}: {}{}", caller.getHostAddress(),
            reason(http.decoderResult().cause()), suppressed);
      }
    }
    ctx.fireChannelRead(msg);
  }

  /** The decoder's reason, on one short line: it may quote what the caller sent. */
  private static String reason(Throwable cause) {
    String text = cause == null ? "undecodable" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    text = text.replaceAll("[\\r\\n\\t]+", " ");
    return text.length() > MAX_REASON ? text.substring(0, MAX_REASON) + "..." : text;
  }
}
