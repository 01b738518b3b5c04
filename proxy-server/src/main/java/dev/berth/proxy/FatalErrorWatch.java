package dev.berth.proxy;

import io.netty.channel.ChannelHandler;
import java.util.function.Consumer;
import reactor.netty.Connection;
import reactor.netty.ConnectionObserver;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * Where a JVM-fatal error surfaces in the HTTP server, and is handed to an action: the listening
 * channel's pipeline (an error while accepting, e.g. out of memory for a new connection's state),
 * each connection's pipeline ahead of Reactor Netty's bridge (reading, decoding), and the bridge's
 * own uncaught errors (the request path).
 */
final class FatalErrorWatch {

  static final String NAME = "berth.fatalErrorWatch";

  private FatalErrorWatch() {}

  static HttpServer on(HttpServer server, Consumer<Throwable> action) {
    ChannelHandler watcher = FatalErrors.watcher(action);
    return server
        // First on the listening channel: Reactor Netty's acceptor answers an accept failure by
        // scheduling a task, which with the heap full fails too, and Netty passes an error thrown by
        // a handler's exceptionCaught no further (CI saw the daemon live on with the watch after it).
        .doOnBound(bound -> bound.channel().pipeline().addFirst(NAME, watcher))
        .doOnChannelInit((observer, channel, remote) -> {
          if (channel.pipeline().get(NettyPipeline.ReactiveBridge) != null) {
            channel.pipeline().addBefore(NettyPipeline.ReactiveBridge, NAME, watcher);
          } else {
            channel.pipeline().addLast(NAME, watcher);
          }
        })
        .childObserve(new ConnectionObserver() {
          @Override
          public void onStateChange(Connection connection, State newState) {
            // Only errors matter here.
          }

          @Override
          public void onUncaughtException(Connection connection, Throwable error) {
            if (FatalErrors.isFatal(error)) {
              action.accept(error);
            }
          }
        });
  }
}
