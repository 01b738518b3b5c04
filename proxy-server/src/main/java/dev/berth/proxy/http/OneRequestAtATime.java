package dev.berth.proxy.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/*
 * Design notes. A client may pipeline: write many requests at once on one connection. Reactor
 * Netty (1.3.7) buffers the requests it receives while a response is pending, and measured here a
 * connection stalled for good once more than ~29 requests had arrived while answers were
 * asynchronous (a pass-through fetch, a container lookup). So this handler, right behind the decoder,
 * lets one request at a time reach Reactor Netty: the next is passed on only once the previous
 * response has been written in full, and Reactor Netty never sees pipelining. Answers thus go out in
 * order; once MAX_WAITING messages are held, the connection is not read from until its answers catch up,
 * which bounds what one connection holds (beyond that, one socket read's worth). One instance per connection; everything runs on its event loop.
 * Reactor Netty 1.3.8 fixed the stall itself (reactor-netty#4361, found again on the control API,
 * which has no such handler: ControlApiTest); the bound is why this handler stays.
 */
final class OneRequestAtATime extends ChannelDuplexHandler {

  static final String NAME = "berth.oneRequestAtATime";
  /** Messages (request heads and body parts) held back at most per connection. */
  static final int MAX_WAITING = 64;

  private final ArrayDeque<Object> waiting = new ArrayDeque<>();
  /** A request was passed on and its response is not yet written in full. */
  private boolean answering;
  private boolean draining;
  private boolean pausedReading;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!waiting.isEmpty() || (answering && msg instanceof HttpRequest)) {
      waiting.addLast(msg);
      if (waiting.size() >= MAX_WAITING && ctx.channel().config().isAutoRead()) {
        // Enough held: read no more from this client until its answers have caught up.
        ctx.channel().config().setAutoRead(false);
        pausedReading = true;
      }
      return;
    }
    if (msg instanceof HttpRequest) {
      answering = true;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    boolean last = msg instanceof LastHttpContent;
    ctx.write(msg, promise);
    if (last) {
      answering = false;
      if (!waiting.isEmpty() && !draining) {
        draining = true;
        // After the write that ended the response has run its course in Reactor Netty.
        ctx.executor().execute(() -> drain(ctx));
      }
    }
  }

  private void drain(ChannelHandlerContext ctx) {
    draining = false;
    boolean passed = false;
    while (!waiting.isEmpty() && !(answering && waiting.peekFirst() instanceof HttpRequest)) {
      Object next = waiting.pollFirst();
      if (next instanceof HttpRequest) {
        answering = true;
      }
      passed = true;
      ctx.fireChannelRead(next);
    }
    if (passed) {
      ctx.fireChannelReadComplete();
    }
    if (pausedReading && waiting.size() < MAX_WAITING / 2) {
      pausedReading = false;
      ctx.channel().config().setAutoRead(true);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    discardWaiting();
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    discardWaiting();
  }

  private void discardWaiting() {
    for (Object held; (held = waiting.pollFirst()) != null; ) {
      ReferenceCountUtil.release(held);
    }
  }
}
