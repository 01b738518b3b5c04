package dev.berth.proxy.http;

import dev.berth.proxy.http.Upstream.Answer;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/*
 * Why not Reactor Netty's HttpClient: measured on the pass-through benchmark it cost about 50 µs of
 * CPU per request (configuration copied per request, pool acquire and release through Reactor,
 * autoRead toggled on every release), which held pass-through to 0.35 × the upstream. This client
 * keeps the keep-alive connections of each event loop in that loop's own pool, so that a caller's
 * request, its upstream exchange and its answer never leave the thread that accepted the caller:
 * no locks, no hand-off, no wake-ups. Everything below that touches a LoopPool runs on its loop.
 *
 * The request is written as bytes made once per exchange (no request object, no header map, no
 * encoder), and the answer is read from the decoder's parts into one byte array (no aggregator, no
 * composite buffer, no full-response object): on the forwarding benchmark the upstream leg cost more
 * CPU than the whole server side of a request, and the encoder and aggregator were a quarter of it.
 * Only GET and PUT with an empty body are ever sent, so the response decoder needs no knowledge of
 * the request method (which HttpClientCodec keeps for HEAD and CONNECT).
 */

/**
 * Keep-alive HTTP/1.1 connections to one origin, pooled per event loop, for small whole-body
 * exchanges (metadata answers). At most {@code maxPerLoop} connections per loop; requests beyond
 * that wait, up to a bound, for a connection to come free.
 */
final class UpstreamConnections implements AutoCloseable {

  /** Largest upstream body accepted; user-data, the largest metadata item, is at most 16 KiB. */
  static final int MAX_BODY = 1 << 20;
  private static final int MAX_WAITING_PER_LOOP = 4_096;

  private final String hostHeader;
  private final Duration timeout;
  private final LoopPool[] pools;
  private final AtomicInteger nextForeign = new AtomicInteger();
  private volatile boolean closed;

  UpstreamConnections(URI origin, EventLoopGroup group, int maxPerLoop, Duration timeout, Duration idleTimeout) {
    int port = origin.getPort() == -1 ? 80 : origin.getPort();
    this.hostHeader = origin.getPort() == -1 ? origin.getHost() : origin.getHost() + ":" + port;
    this.timeout = timeout;
    // Resolved once, here and off the loop: the metadata service is an address, not a name.
    InetSocketAddress address = new InetSocketAddress(stripBrackets(origin.getHost()), port);
    List<LoopPool> loops = new ArrayList<>();
    for (EventExecutor executor : group) {
      loops.add(new LoopPool((EventLoop) executor, group, address, maxPerLoop, idleTimeout));
    }
    this.pools = loops.toArray(LoopPool[]::new);
  }

  /**
   * Sends {@code method pathAndQuery} with {@code headerName: headerValue} (when not null) and an
   * empty body; the answer arrives on the calling event loop when there is one.
   */
  Mono<Answer> exchange(HttpMethod method, String pathAndQuery, String headerName, String headerValue) {
    return Mono.create(sink -> {
      byte[] request;
      try {
        request = encode(method, pathAndQuery, headerName, headerValue);
      } catch (IllegalArgumentException e) {
        sink.error(e);
        return;
      }
      Exchange exchange = new Exchange(request, sink);
      sink.onCancel(() -> exchange.cancelled = true);
      LoopPool pool = currentLoopPool();
      if (pool != null) {
        pool.submit(exchange);
      } else {
        LoopPool foreign = pools[Math.floorMod(nextForeign.getAndIncrement(), pools.length)];
        foreign.loop.execute(() -> foreign.submit(exchange));
      }
    });
  }

  /** Closes every pooled connection; exchanges still waiting fail. */
  @Override
  public void close() {
    closed = true;
    for (LoopPool pool : pools) {
      if (!pool.loop.isShuttingDown()) {
        pool.loop.execute(pool::closeAll);
      }
    }
  }

  private LoopPool currentLoopPool() {
    for (LoopPool pool : pools) {
      if (pool.loop.inEventLoop()) {
        return pool;
      }
    }
    return null;
  }

  /**
   * The request's bytes: request line, Host, Content-Length for a PUT, the one extra header, and no
   * body. Every part must be visible ASCII (no space, CR or LF), so that nothing a caller or the
   * upstream supplied can split the request or add a header; the path is canonical anyway
   * (MetadataPath.forwardPath) and the token is the upstream's own.
   */
  private byte[] encode(HttpMethod method, String pathAndQuery, String headerName, String headerValue) {
    StringBuilder text = new StringBuilder(64 + pathAndQuery.length() + (headerValue == null ? 0 : headerValue.length()));
    text.append(method.name()).append(' ').append(visible(pathAndQuery)).append(" HTTP/1.1\r\n");
    text.append("Host: ").append(hostHeader).append("\r\n");
    if (method.equals(HttpMethod.PUT)) {
      text.append("Content-Length: 0\r\n");
    }
    if (headerName != null) {
      text.append(visible(headerName)).append(": ").append(visible(headerValue)).append("\r\n");
    }
    return text.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static String visible(String part) {
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        throw new IllegalArgumentException("not sent upstream: a request part with a space, control or non-ASCII character");
      }
    }
    if (part.isEmpty()) {
      throw new IllegalArgumentException("not sent upstream: an empty request part");
    }
    return part;
  }

  private static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /**
   * One request and where its answer goes. Its deadline runs from when it was queued, not sent: a
   * request waiting behind a neighbour's flood is not kept longer than one that found a connection.
   */
  private static final class Exchange {
    /** The encoded request, kept whole because a stale connection may make us send it again. */
    final byte[] request;
    final MonoSink<Answer> sink;
    volatile boolean cancelled;
    boolean retried;
    /** Answered or failed: nothing more happens to it. */
    boolean done;
    /** The connection it was sent on, while it waits for the answer there. */
    ConnectionHandler on;
    ScheduledFuture<?> deadline;

    Exchange(byte[] request, MonoSink<Answer> sink) {
      this.request = request;
      this.sink = sink;
    }

    /** Whether it still needs sending (not answered, failed, or given up by its caller). */
    boolean pending() {
      return !done && !cancelled;
    }

    void answer(Answer answer) {
      if (!done) {
        done = true;
        cancelDeadline();
        sink.success(answer);
      }
    }

    void fail(Throwable error) {
      if (!done) {
        done = true;
        cancelDeadline();
        sink.error(error);
      }
    }

    void cancelDeadline() {
      if (deadline != null) {
        deadline.cancel(false);
        deadline = null;
      }
    }
  }

  /** The connections of one event loop; confined to that loop. */
  private final class LoopPool {
    final EventLoop loop;
    private final Bootstrap bootstrap;
    private final int max;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private final ArrayDeque<Exchange> waiting = new ArrayDeque<>();
    private final List<Channel> open = new ArrayList<>();

    LoopPool(EventLoop loop, EventLoopGroup group, InetSocketAddress address, int max, Duration idleTimeout) {
      this.loop = loop;
      this.max = max;
      this.bootstrap = new Bootstrap()
          .group(loop)
          // As the AWS SDK's SdkEventLoopGroup does: BerthProxy makes either kind of group (and would
          // need this updated if it moved to Netty 4.2's MultiThreadIoEventLoopGroup).
          .channel(group instanceof EpollEventLoopGroup ? EpollSocketChannel.class : NioSocketChannel.class)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeout.toMillis()))
          .remoteAddress(address)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
              channel.pipeline().addLast(
                  new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS),
                  new HttpResponseDecoder(),
                  new ConnectionHandler(LoopPool.this));
            }
          });
    }

    void submit(Exchange exchange) {
      if (closed) {
        exchange.fail(new ClosedChannelException());
        return;
      }
      if (exchange.deadline == null && !exchange.done) {
        exchange.deadline = loop.schedule(() -> expire(exchange), timeout.toNanos(), TimeUnit.NANOSECONDS);
      }
      Channel channel;
      while ((channel = idle.pollFirst()) != null) {
        if (channel.isActive()) {
          send(channel, exchange, true);
          return;
        }
      }
      if (open.size() < max) {
        connect(exchange);
      } else if (waiting.size() < MAX_WAITING_PER_LOOP) {
        waiting.addLast(exchange);
      } else {
        exchange.fail(new IllegalStateException("more than " + MAX_WAITING_PER_LOOP
            + " requests waiting for an upstream connection"));
      }
    }

    /** Its deadline passed: wherever it is (queued, connecting, sent), it fails now. */
    private void expire(Exchange exchange) {
      exchange.deadline = null;
      if (exchange.done) {
        return;
      }
      if (exchange.on != null) {
        exchange.on.timedOut();
      } else {
        waiting.remove(exchange);
        exchange.fail(new TimeoutException("no answer from the upstream within the timeout"));
      }
    }

    private void connect(Exchange exchange) {
      Channel channel = bootstrap.connect().addListener((ChannelFutureListener) connected -> {
        if (connected.isSuccess()) {
          send(connected.channel(), exchange, false);
        } else {
          exchange.fail(connected.cause());
        }
      }).channel();
      open.add(channel);
      channel.closeFuture().addListener(closedFuture -> closed(channel));
    }

    private void send(Channel channel, Exchange exchange, boolean reused) {
      if (!exchange.pending()) {
        release(channel);
        return;
      }
      ConnectionHandler handler = channel.pipeline().get(ConnectionHandler.class);
      handler.begin(exchange, reused);
      exchange.on = handler;
      // A fresh buffer each time, because a stale connection may make us send the request again.
      ByteBuf bytes = channel.alloc().directBuffer(exchange.request.length).writeBytes(exchange.request);
      channel.writeAndFlush(bytes, channel.voidPromise());
    }

    /** A connection that finished its exchange and may carry another. */
    void release(Channel channel) {
      Exchange next;
      while ((next = waiting.pollFirst()) != null) {
        if (next.pending()) {
          send(channel, next, true);
          return;
        }
      }
      if (closed) {
        channel.close();
      } else {
        // Last in, first out: busy connections stay warm, spare ones reach the idle timeout.
        idle.addFirst(channel);
      }
    }

    /**
     * A stale keep-alive connection failed before answering: a GET is safe to send once more, on a new
     * connection, since the loop's other idle connections may have gone stale with it (an upstream
     * restart drops them all).
     */
    void retry(Exchange exchange) {
      exchange.retried = true;
      exchange.on = null;
      if (exchange.done) {
        return;
      }
      if (!closed && open.size() < max) {
        connect(exchange);
      } else {
        submit(exchange);
      }
    }

    private void closed(Channel channel) {
      open.remove(channel);
      idle.remove(channel);
      Exchange next;
      while (open.size() < max && (next = waiting.pollFirst()) != null) {
        if (next.pending()) {
          connect(next);
        }
      }
    }

    void closeAll() {
      Exchange next;
      while ((next = waiting.pollFirst()) != null) {
        next.fail(new ClosedChannelException());
      }
      for (Channel channel : List.copyOf(open)) {
        channel.close();
      }
    }
  }

  /** The per-connection end of an exchange: at most one request in flight. */
  private static final class ConnectionHandler extends SimpleChannelInboundHandler<HttpObject> {
    private static final byte[] EMPTY = new byte[0];
    private final LoopPool pool;
    private Exchange current;
    private boolean reused;
    private ChannelHandlerContext context;
    /** The answer being read: its head has arrived ({@code status} > 0), its body so far. */
    private int status;
    private String contentType;
    private boolean keepAlive;
    private byte[] body = EMPTY;
    private int length;

    ConnectionHandler(LoopPool pool) {
      this.pool = pool;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.context = ctx;
    }

    void begin(Exchange exchange, boolean reusedConnection) {
      this.current = exchange;
      this.reused = reusedConnection;
      this.status = 0;
      this.body = EMPTY;
      this.length = 0;
    }

    void timedOut() {
      Exchange exchange = current;
      current = null;
      context.close();
      if (exchange != null) {
        exchange.fail(new TimeoutException("no answer from the upstream within the timeout"));
      }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject part) {
      Exchange exchange = current;
      if (exchange == null) {
        // An answer nobody asked for (or the rest of one that already failed): the connection is
        // out of step with its requests, so it carries no more.
        ctx.close();
        return;
      }
      // What the decoder could not parse (a status line that is not HTTP, a connection closed
      // mid-headers or mid-body) still arrives as a part, marked as failed: not an answer.
      if (part.decoderResult().isFailure()) {
        abandon(ctx, exchange, part.decoderResult().cause());
        return;
      }
      if (part instanceof HttpResponse response) {
        if (status != 0) {
          abandon(ctx, exchange, new IllegalStateException("a second response head before the first answer ended"));
          return;
        }
        long declared = HttpUtil.getContentLength(response, -1L);
        if (declared > MAX_BODY) {
          abandon(ctx, exchange, new TooLongFrameException("upstream answer of " + declared + " bytes, over " + MAX_BODY));
          return;
        }
        status = response.status().code();
        contentType = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
        keepAlive = HttpUtil.isKeepAlive(response);
        if (declared > 0) {
          body = new byte[(int) declared];
        }
      }
      if (part instanceof HttpContent content) {
        if (status == 0) {
          abandon(ctx, exchange, new IllegalStateException("a body before the response head"));
          return;
        }
        ByteBuf bytes = content.content();
        int more = bytes.readableBytes();
        if (more > MAX_BODY - length) {
          abandon(ctx, exchange, new TooLongFrameException("upstream answer over " + MAX_BODY + " bytes"));
          return;
        }
        if (length + more > body.length) {
          body = Arrays.copyOf(body, Math.max(length + more, Math.min(MAX_BODY, body.length * 2)));
        }
        bytes.getBytes(bytes.readerIndex(), body, length, more);
        length += more;
        if (content instanceof LastHttpContent) {
          finish(ctx, exchange);
        }
      }
    }

    /** The whole answer has arrived. */
    private void finish(ChannelHandlerContext ctx, Exchange exchange) {
      current = null;
      Answer answer = new Answer(status, contentType, length == body.length ? body : Arrays.copyOf(body, length));
      body = EMPTY;
      status = 0;
      // The connection goes back first, so that whatever the answer triggers next can reuse it.
      if (keepAlive) {
        pool.release(ctx.channel());
      } else {
        ctx.close();
      }
      exchange.answer(answer);
    }

    /** A bad or oversized answer: final for the exchange, and the connection is out of step, so closed. */
    private void abandon(ChannelHandlerContext ctx, Exchange exchange, Throwable cause) {
      current = null;
      body = EMPTY;
      status = 0;
      ctx.close();
      exchange.fail(cause);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof IdleStateEvent && current == null) {
        ctx.close();
      }
      ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Exchange exchange = current;
      current = null;
      if (exchange != null) {
        failOrRetry(exchange, new ClosedChannelException());
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Exchange exchange = current;
      current = null;
      ctx.close();
      if (exchange != null) {
        // A reset is how a stale connection shows itself; a bad answer is final.
        if (cause instanceof IOException) {
          failOrRetry(exchange, cause);
        } else {
          exchange.fail(cause);
        }
      }
    }

    /**
     * The upstream closes idle keep-alive connections whenever it likes, and a request may be sent
     * just as it does: a GET on a reused connection that failed before any answer is sent once more
     * on another connection.
     */
    private void failOrRetry(Exchange exchange, Throwable cause) {
      // The retry keeps the exchange's deadline: it counts from when the exchange was queued.
      if (reused && !exchange.retried) {
        pool.retry(exchange);
      } else {
        exchange.fail(cause);
      }
    }
  }
}
