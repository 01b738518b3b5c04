package dev.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.proxy.ProxyHarness.Caller;
import dev.berth.proxy.ProxyHarness.Reply;
import dev.berth.proxy.http.Upstream;
import dev.berth.proxy.http.Upstream.Answer;
import dev.berth.testing.Await;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One container at its limits changes nothing for its neighbours: each source address (a
 * container; here 127.0.0.N) has its own share of connections and of forwarded requests, and what
 * it gets past its share is a clear refusal, logged once per caller per 10 s.
 */
final class CallerFairnessTest {

  private static final String HELD = "/latest/meta-data/held";
  @AutoClose
  private ProxyHarness harness;

  @Test
  void connections_oneCallerPastItsShare_closedOnAccept_neighbourStillServed() throws IOException {
    harness = ProxyHarness.start(40, 10, 32, null);
    harness.container(10, "victim", Map.of(), Map.of("IAM_ROLE", "victim-role"));
    Caller victim = harness.from(10);
    List<Socket> held = new ArrayList<>();
    try (StderrCapture log = StderrCapture.start()) {
      int answered = 0;
      int closed = 0;
      // The flooder holds as many connections as the whole proxy allows, and asks on each.
      for (int i = 0; i < 40; i++) {
        held.add(harness.socketFrom(11));
      }
      for (Socket socket : held) {
        if (answers(socket)) {
          answered++;
        } else {
          closed++;
        }
      }

      assertThat(answered).isEqualTo(10);
      assertThat(closed).isEqualTo(30);
      // While the flooder still holds its ten.
      assertThat(victim.get("/latest/meta-data/iam/security-credentials/").body()).isEqualTo("victim-role");
      assertThat(log.linesWith("127.0.0.11")).hasSize(1);
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
  }

  @Test
  void forwarded_oneCallerPastItsShare_429WithRetryAfter_neighbourStillForwarded() {
    HeldUpstream upstream = new HeldUpstream();
    harness = ProxyHarness.start(10_000, 256, 4, upstream);
    Caller flooder = harness.from(11);
    Caller neighbour = harness.from(10);
    List<CompletableFuture<Reply>> waiting = new ArrayList<>();
    try (StderrCapture log = StderrCapture.start()) {
      for (int i = 0; i < 4; i++) {
        waiting.add(flooder.sendAsync(HttpMethod.GET, HELD).toFuture());
      }
      Await.until("the flooder's four requests wait upstream", () -> upstream.waiting() == 4);

      for (int i = 0; i < 3; i++) {
        Reply refused = flooder.get(HELD);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.headers().get("Retry-After")).isEqualTo("1");
        assertThat(refused.headers().get("Server")).isEqualTo("EC2ws");
      }
      assertThat(neighbour.get("/latest/meta-data/instance-id").status()).isEqualTo(200);
      waiting.add(neighbour.sendAsync(HttpMethod.GET, HELD).toFuture());
      Await.until("the neighbour's request is forwarded too", () -> upstream.waiting() == 5);

      upstream.answerAll();
      assertThat(waiting).allSatisfy(reply -> assertThat(reply.join().status()).isEqualTo(200));
      // Its share is free again.
      assertThat(flooder.get("/latest/meta-data/instance-id").status()).isEqualTo(200);
      assertThat(log.linesWith("127.0.0.11")).hasSize(1);
    }
  }

  /** Whether the server answers a request on {@code socket} (rather than having closed it). */
  private static boolean answers(Socket socket) throws IOException {
    try {
      socket.getOutputStream().write(
          "GET /latest/meta-data/instance-id HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      return ProxyHarness.readHead(socket.getInputStream()).startsWith("HTTP/1.1 200");
    } catch (SocketException reset) {
      return false;
    }
  }

  /** Answers {@link #HELD} only when told to; every other path at once. */
  private static final class HeldUpstream implements Upstream {
    private final ConcurrentLinkedQueue<Sinks.One<Answer>> held = new ConcurrentLinkedQueue<>();

    @Override
    public Mono<Answer> get(String pathAndQuery) {
      if (!pathAndQuery.equals(HELD)) {
        return Mono.just(new Answer(200, "text/plain", "i-0123".getBytes(StandardCharsets.UTF_8)));
      }
      Sinks.One<Answer> answer = Sinks.one();
      held.add(answer);
      return answer.asMono();
    }

    int waiting() {
      return held.size();
    }

    void answerAll() {
      for (Sinks.One<Answer> answer; (answer = held.poll()) != null; ) {
        answer.tryEmitValue(new Answer(200, "text/plain", "held".getBytes(StandardCharsets.UTF_8)));
      }
    }
  }
}
