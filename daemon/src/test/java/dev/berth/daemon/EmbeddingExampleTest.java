package dev.berth.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.proxy.ProxyConfig;
import dev.berth.runtime.BerthRuntime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * The README's embedding example, compiled and run as it is printed there: a service of its own on
 * its own loop, with Berth started on that same loop.
 */
class EmbeddingExampleTest {

  private final Set<Thread> serviceThreads = ConcurrentHashMap.newKeySet();

  @Test
  void readmeExample_runsOnTheCallersLoop_andServesCredentials() throws Exception {
    // README: embedding (begin)
    LoopResources loop = BerthRuntime.newLoopResources(1);     // your service's loop, shared with Berth
    DisposableServer yours = HttpServer.create().runOn(loop).host("127.0.0.1").port(0)
        .handle((request, response) -> response.sendString(Mono.fromSupplier(() -> hello())))
        .bindNow();
    Berth berth = Berth.builder(ProxyConfig.builder()
            .local(true)                                         // no Docker engine, no AWS account
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .adminListen(new InetSocketAddress("127.0.0.1", 0))
            .build())
        .loopResources(loop)
        .build();
    berth.start().block();
    String roles = get(berth.address(), "/latest/meta-data/iam/security-credentials/");
    String document = get(berth.address(), "/latest/meta-data/iam/security-credentials/" + roles);
    String greeting = get(yours.address(), "/");
    berth.stop().block();
    yours.disposeNow();
    loop.disposeLater().block();
    // README: embedding (end)

    assertThat(roles).isEqualTo("berth-local");
    assertThat(document).contains("\"Code\" : \"Success\"", "\"AccessKeyId\" : \"ASIALOCAL");
    assertThat(greeting).isEqualTo("hello");
    assertThat(serviceThreads).hasSize(1).allMatch(thread -> thread.getName().startsWith("loop"));
  }

  @Test
  void readme_showsTheExampleAsTested() throws IOException {
    String source = Files.readString(Path.of("src/test/java/dev/berth/daemon/EmbeddingExampleTest.java"));
    String example = between(source, "    // README: embedding (begin)\n", "    // README: embedding (end)\n")
        .replaceAll("(?m)^    ", "");
    String readme = Files.readString(Path.of("../README.md"));
    assertThat(readme).contains(example);
  }

  @Test
  void aLoopTheSdkCannotRunOn_refusedWithTheFix() {
    LoopResources reactors = LoopResources.create("reactor-made", 1, true);
    try {
      Berth berth = Berth.builder(ProxyConfig.builder().local(true)
              .listen(new InetSocketAddress("127.0.0.1", 0)).adminListen(new InetSocketAddress("127.0.0.1", 0)).build())
          .loopResources(reactors).build();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> berth.start().block())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("EpollEventLoopGroup or NioEventLoopGroup")
          .hasMessageContaining("BerthRuntime.newLoopResources");
    } finally {
      reactors.disposeLater().block();
    }
  }

  private String hello() {
    serviceThreads.add(Thread.currentThread());
    return "hello";
  }

  private static String get(java.net.SocketAddress where, String path) throws Exception {
    InetSocketAddress address = (InetSocketAddress) where;
    HttpClient client = HttpClient.newHttpClient();
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static String between(String text, String begin, String end) {
    int from = text.indexOf(begin) + begin.length();
    return text.substring(from, text.indexOf(end, from));
  }
}
