package dev.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.Await;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** Where the heap runs out while accepting, the action hears of it, whatever the listening channel's other handlers do. */
final class FatalErrorWatchTest {

  @Test
  void outOfMemoryWhileAccepting_reachesTheAction_thoughTheAcceptorFailsOnItToo() {
    List<Throwable> seen = new CopyOnWriteArrayList<>();
    DisposableServer server = FatalErrorWatch.on(HttpServer.create().host("127.0.0.1").port(0)
        .handle((request, response) -> response.send()), seen::add).bindNow();
    try {
      ChannelPipeline pipeline = server.channel().pipeline();
      Await.until("the watch on the listening channel", () -> pipeline.get(FatalErrorWatch.NAME) != null);
      String acceptor = pipeline.names().stream().filter(name -> name.contains("Acceptor"))
          .findFirst().orElseThrow();
      // As the daemon met it: Reactor Netty's acceptor answers an accept failure by scheduling a
      // task, which with the heap full fails too; Netty logs that and passes the error no further.
      pipeline.addBefore(acceptor, "fails-as-the-acceptor-did", new ChannelInboundHandlerAdapter() {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
          throw new OutOfMemoryError("Java heap space (scheduling the acceptor's re-enable)");
        }
      });
      OutOfMemoryError accepting = new OutOfMemoryError("Java heap space (a new connection's address)");

      server.channel().eventLoop().submit(() -> pipeline.fireExceptionCaught(accepting)).syncUninterruptibly();

      assertThat(seen).containsExactly(accepting);
    } finally {
      server.disposeNow();
    }
  }
}
