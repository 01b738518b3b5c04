package dev.berth.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.testing.Await;
import dev.berth.testing.DockerEngineEmulator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.netty.ByteBufFlux;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRoutes;
import reactor.netty.resources.LoopResources;
import reactor.test.StepVerifier;

/** The Engine API client against the Engine API emulator, and against servers that answer as an engine may. */
final class DockerEngineTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir
  Path dir;

  @Test
  void get_documentsByPathWithFilters_emptyForWhatIsGone() throws Exception {
    try (DockerEngineEmulator docker = DockerEngineEmulator.builder().socket(dir.resolve("docker.sock")).start();
        DockerEngine engine = DockerEngine.connect(docker.dockerHost())) {
      String web = docker.run("web", "10.9.0.2", Map.of("role", "web"), Map.of());
      String old = docker.run("old", "10.9.0.3", Map.of(), Map.of());
      docker.stop(old);

      JsonNode running = engine.get("/containers/json", Map.of("status", List.of("running"))).block(WAIT);
      assertThat(running).extracting(listed -> listed.path("Id").asText()).containsExactly(web);
      JsonNode inspected = engine.get("/containers/" + web + "/json", Map.of()).block(WAIT);
      assertThat(inspected.path("Config").path("Labels").path("role").asText()).isEqualTo("web");
      assertThat(engine.get("/containers/no-such-container/json", Map.of()).blockOptional(WAIT)).isEmpty();
    }
  }

  @Test
  void get_onAnNioLoop_asWhereNettysNativeLibraryCannotLoad_speaksHttp11() throws Exception {
    // A bare unix socket server that records the request as the engine would read it.
    Path socket = dir.resolve("raw.sock");
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    CompletableFuture<String> request = CompletableFuture.supplyAsync(() -> {
      try (SocketChannel client = server.accept()) {
        ByteBuffer read = ByteBuffer.allocate(4096);
        while (!new String(read.array(), 0, read.position(), StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
          client.read(read);
        }
        client.write(ByteBuffer.wrap("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]".getBytes(StandardCharsets.US_ASCII)));
        return new String(read.array(), 0, read.position(), StandardCharsets.ISO_8859_1);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    EventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    LoopResources loops = new LoopResources() {
      @Override
      public EventLoopGroup onServer(boolean useNative) {
        return nio;
      }
    };
    try (DockerEngine engine = DockerEngine.connect("unix://" + socket, loops)) {
      assertThat(engine.get("/networks", Map.of()).block(WAIT)).isEmpty();
      assertThat(request.get(WAIT.toSeconds(), TimeUnit.SECONDS)).startsWith("GET /networks HTTP/1.1\r\n");
    } finally {
      nio.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      server.close();
    }
  }

  @Test
  void get_anEngineError_failsWithTheEnginesMessage() {
    DisposableServer server = unixServer(routes -> routes.get("/containers/json",
        (request, response) -> response.status(500).sendString(reactor.core.publisher.Mono.just(
            "{\"message\":\"Error response from daemon: the store is locked\"}\n"))));
    try (DockerEngine engine = DockerEngine.connect("unix://" + dir.resolve("engine.sock"))) {
      assertThatThrownBy(() -> engine.get("/containers/json", Map.of()).block(WAIT))
          .isInstanceOf(DockerEngine.EngineException.class)
          .hasMessage("GET /containers/json: 500 Error response from daemon: the store is locked");
    } finally {
      server.disposeNow();
    }
  }

  @Test
  void events_connectedFirst_thenEachDocumentAsItsLinesEnd_thenFailsWhenTheEngineEndsTheStream() {
    // Two events cut across chunks, the second in the middle of a member name.
    DisposableServer server = unixServer(routes -> routes.get("/events", (request, response) -> response.sendString(
        Flux.just("{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"c1\",\"Attributes\":{\"name\":\"web\"}},"
                + "\"timeNano\":1700000000000000001}\n{\"Type\":\"network\",\"Act",
            "ion\":\"connect\",\"Actor\":{\"ID\":\"n1\",\"Attributes\":{\"container\":\"c1\"}}}\n"))));
    try (DockerEngine engine = DockerEngine.connect("unix://" + dir.resolve("engine.sock"))) {
      StepVerifier.create(engine.events(Map.of("type", List.of("container", "network"))))
          .expectNext(EngineEvent.CONNECTED)
          .expectNext(new EngineEvent("container", "start", "c1", Map.of("name", "web"), 1700000000000000001L))
          .expectNext(new EngineEvent("network", "connect", "n1", Map.of("container", "c1"), 0L))
          .expectErrorMessage("the engine closed the events stream")
          .verify(WAIT);
    } finally {
      server.disposeNow();
    }
  }

  @Test
  void events_ofTheEmulatedEngine_whatHappensAfterTheStreamOpened() throws Exception {
    try (DockerEngineEmulator docker = DockerEngineEmulator.builder().socket(dir.resolve("docker.sock")).start();
        DockerEngine engine = DockerEngine.connect(docker.dockerHost())) {
      StepVerifier.create(engine.events(Map.of("type", List.of("container"), "event", List.of("start"))))
          .expectNext(EngineEvent.CONNECTED)
          .then(() -> {
            Await.until("the client holds the events stream open", () -> docker.eventSubscribers() == 1);
            docker.run("web", "10.9.0.2", Map.of("role", "web"), Map.of());
          })
          .assertNext(event -> {
            assertThat(event.action()).isEqualTo("start");
            assertThat(event.attributes()).containsEntry("role", "web");
            assertThat(event.timeNano()).isPositive();
          })
          .thenCancel()
          .verify(WAIT);
    }
  }

  @Test
  void lines_splitAtNewlinesOnly_evenInsideAMultiByteCharacter() {
    byte[] text = "{\"name\":\"café\"}\n\n{\"n\":2}\n{\"partial".getBytes(StandardCharsets.UTF_8);
    int cut = "{\"name\":\"caf".length() + 1; // between the two bytes of é
    List<byte[]> chunks = List.of(java.util.Arrays.copyOfRange(text, 0, cut),
        java.util.Arrays.copyOfRange(text, cut, text.length));

    List<String> lines = new ArrayList<>();
    DockerEngine.lines(ByteBufFlux.fromInbound(Flux.fromIterable(chunks)))
        .map(line -> new String(line, StandardCharsets.UTF_8)).doOnNext(lines::add).blockLast(WAIT);

    assertThat(lines).containsExactly("{\"name\":\"café\"}", "{\"n\":2}");
  }

  @Test
  void connect_aHostOfNeitherForm_refusedNamingBoth() {
    assertThatThrownBy(() -> DockerEngine.connect("http://localhost:2375"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Docker host 'http://localhost:2375' is neither unix:///path/to/docker.sock nor tcp://host:port");
  }

  @ParameterizedTest
  @ValueSource(strings = {"PKCS#8", "PKCS#1"})
  void tcpWithTls_theClientCertificateTheDockerCliUses(String keyFormat) throws Exception {
    Path certs = certificates(keyFormat);
    io.netty.handler.ssl.SslContext serverTls = serverTls(certs);
    DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
        .secure(spec -> spec.sslContext(serverTls))
        .route(routes -> routes.get("/version", (request, response) -> response.sendString(
            reactor.core.publisher.Mono.just("{\"ApiVersion\":\"1.47\"}"))))
        .bindNow();
    try (DockerEngine engine = DockerEngine.connect("tcp://127.0.0.1:" + server.port(), null,
        Map.of("DOCKER_TLS_VERIFY", "1", "DOCKER_CERT_PATH", certs.toString()))) {
      assertThat(engine.get("/version", Map.of()).block(WAIT).path("ApiVersion").asText()).isEqualTo("1.47");
    } finally {
      server.disposeNow();
    }
  }

  @Test
  void tcpWithTls_anEncryptedKeyOrMissingFiles_refusedNamingTheFix() throws Exception {
    Path certs = certificates("encrypted");
    assertThatThrownBy(() -> DockerEngine.tls(Map.of("DOCKER_TLS_VERIFY", "1", "DOCKER_CERT_PATH", certs.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt -in key.pem");
    Path empty = Files.createDirectory(dir.resolve("empty"));
    assertThatThrownBy(() -> DockerEngine.tls(Map.of("DOCKER_TLS_VERIFY", "1", "DOCKER_CERT_PATH", empty.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("DOCKER_TLS_VERIFY is set but " + empty.resolve("ca.pem")
            + " cannot be read: set DOCKER_CERT_PATH to the directory with ca.pem, cert.pem and key.pem");
    assertThat(DockerEngine.tls(Map.of("DOCKER_CERT_PATH", certs.toString()))).as("off without DOCKER_TLS_VERIFY").isNull();
  }

  private DisposableServer unixServer(java.util.function.Consumer<HttpServerRoutes> routes) {
    return HttpServer.create().bindAddress(() -> new DomainSocketAddress(dir.resolve("engine.sock").toString()))
        .route(routes).bindNow();
  }

  private static io.netty.handler.ssl.SslContext serverTls(Path certs) throws IOException {
    return SslContextBuilder.forServer(certs.resolve("server-cert.pem").toFile(), certs.resolve("server-key.pem").toFile())
        .trustManager(certs.resolve("ca.pem").toFile()).clientAuth(ClientAuth.REQUIRE).build();
  }

  /**
   * A CA, a server certificate for 127.0.0.1 and a client certificate signed by it, as Docker's
   * "protect the daemon socket" guide makes them with openssl; the client key in {@code keyFormat}.
   */
  private Path certificates(String keyFormat) throws Exception {
    Path certs = Files.createDirectories(dir.resolve("certs-" + keyFormat.replace("#", "")));
    openssl(certs, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=berth-test-ca");
    openssl(certs, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server-key.pem", "-out", "server.csr",
        "-subj", "/CN=127.0.0.1");
    Files.writeString(certs.resolve("server-ext.cnf"), "subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n");
    openssl(certs, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
        "-out", "server-cert.pem", "-days", "2", "-extfile", "server-ext.cnf");
    openssl(certs, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "key-pkcs8.pem", "-out", "client.csr",
        "-subj", "/CN=client");
    Files.writeString(certs.resolve("client-ext.cnf"), "extendedKeyUsage = clientAuth\n");
    openssl(certs, "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
        "-out", "cert.pem", "-days", "2", "-extfile", "client-ext.cnf");
    switch (keyFormat) {
      case "PKCS#1" -> openssl(certs, "rsa", "-in", "key-pkcs8.pem", "-out", "key.pem", "-traditional");
      case "encrypted" -> openssl(certs, "pkcs8", "-topk8", "-in", "key-pkcs8.pem", "-out", "key.pem", "-passout", "pass:secret");
      default -> Files.copy(certs.resolve("key-pkcs8.pem"), certs.resolve("key.pem"));
    }
    return certs;
  }

  private static void openssl(Path dir, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
  }
}
