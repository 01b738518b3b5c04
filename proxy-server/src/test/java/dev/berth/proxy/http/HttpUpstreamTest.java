package dev.berth.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.proxy.http.Upstream.Answer;
import dev.berth.testing.Await;
import dev.berth.testing.ManualClock;
import dev.berth.testing.MetadataEmulator;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.concurrent.EventExecutor;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * {@link HttpUpstream} and its {@link UpstreamConnections} over real sockets on 127.0.0.1: against
 * the metadata emulator for the token protocol, and against {@link ScriptedServer}s that misbehave
 * on purpose for the connection handling. Calls come both from the test thread and from inside an
 * event loop, as the proxy's request path makes them.
 */
final class HttpUpstreamTest {

  private static final int LOOPS = 2;
  /** The bound on every wait; far above any deadline a test relies on, far below the ones it must not. */
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** A client deadline no test reaches: a hang shows as a failed wait, never as a timeout error. */
  private static final Duration PATIENT = Duration.ofSeconds(30);
  /** An idle timeout no test reaches, so that idle closing never hides a connection left open. */
  private static final Duration IDLE = Duration.ofMinutes(5);
  private static final String INSTANCE_ID = "/latest/meta-data/instance-id";
  private static final String TOKEN_PATH = "/latest/api/token";

  private final EventLoopGroup group = new EpollEventLoopGroup(LOOPS);
  private final List<EventLoop> loops = new ArrayList<>();
  private final Deque<AutoCloseable> opened = new ArrayDeque<>();

  HttpUpstreamTest() {
    for (EventExecutor loop : group) {
      loops.add((EventLoop) loop);
    }
  }

  @AfterEach
  void closeEverything() throws Exception {
    try {
      while (!opened.isEmpty()) {
        opened.pop().close();
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  // ---- the token protocol and pass-through, against the metadata emulator

  @Test
  void get_knownAndUnknownPaths_passStatusContentTypeAndBodyThrough() {
    MetadataEmulator imds = open(MetadataEmulator.start());
    Upstream upstream = upstream(imds.endpoint());

    Answer found = get(upstream, INSTANCE_ID);
    assertThat(found.status()).isEqualTo(200);
    assertThat(found.contentType()).isEqualTo("text/plain");
    assertThat(text(found)).isEqualTo(imds.instance().instanceId());

    Answer missing = block(onLoop(0, () -> upstream.get("/latest/meta-data/no-such-item")));
    assertThat(missing.status()).isEqualTo(404);
    assertThat(text(missing)).contains("Not Found");
  }

  @Test
  void get_sendsItsOwnTokenAndNeverXForwardedFor() {
    MetadataEmulator imds = open(MetadataEmulator.builder().requireToken(true).start());
    Upstream upstream = upstream(imds.endpoint());

    assertThat(get(upstream, INSTANCE_ID).status()).isEqualTo(200);
    assertThat(block(onLoop(1, () -> upstream.get(INSTANCE_ID))).status()).isEqualTo(200);

    // Both answered 200 by an emulator that requires a valid token: the one fetched once, and sent.
    assertThat(imds.requests(TOKEN_PATH)).isEqualTo(1);
    assertThat(imds.requestsWithHeader(TokenHandler.TOKEN_HEADER)).isEqualTo(2);
    assertThat(imds.requestsWithHeader("X-Forwarded-For")).isZero();
  }

  @Test
  void get_sequentialRequests_reuseKeepAliveConnections() {
    MetadataEmulator imds = open(MetadataEmulator.start());
    Upstream upstream = upstream(imds.endpoint());

    for (int i = 0; i < 30; i++) {
      assertThat(block(fromCaller(i, () -> upstream.get(INSTANCE_ID))).status()).isEqualTo(200);
    }

    assertThat(imds.requests(INSTANCE_ID)).isEqualTo(30);
    assertThat(imds.connections()).isBetween(1, LOOPS + 1);
  }

  @Test
  void get_200ConcurrentFirstRequests_oneTokenFetch() {
    MetadataEmulator imds = open(MetadataEmulator.builder().requireToken(true).start());
    Upstream upstream = upstream(imds.endpoint());

    List<Mono<Answer>> callers = IntStream.range(0, 200)
        .mapToObj(i -> fromCaller(i, () -> upstream.get(INSTANCE_ID)))
        .toList();
    List<Answer> answers = Flux.fromIterable(callers).flatMap(caller -> caller, callers.size())
        .collectList().block(WAIT);

    assertThat(answers).hasSize(200).allSatisfy(answer -> {
      assertThat(answer.status()).isEqualTo(200);
      assertThat(text(answer)).isEqualTo(imds.instance().instanceId());
    });
    assertThat(imds.requests(TOKEN_PATH)).isEqualTo(1);
  }

  @Test
  void get_tokenExpired_fetchesANewTokenAndRetries() {
    ManualClock clock = ManualClock.at(Instant.parse("2026-11-26T06:00:00Z"));
    MetadataEmulator imds = open(MetadataEmulator.builder().clock(clock).requireToken(true).start());
    Upstream upstream = upstream(imds.endpoint());
    assertThat(get(upstream, INSTANCE_ID).status()).isEqualTo(200);

    clock.advance(Duration.ofSeconds(21_600 + 1));
    Answer afterExpiry = block(onLoop(0, () -> upstream.get(INSTANCE_ID)));

    assertThat(afterExpiry.status()).isEqualTo(200);
    assertThat(text(afterExpiry)).isEqualTo(imds.instance().instanceId());
    assertThat(imds.requests(TOKEN_PATH)).isEqualTo(2);
    // The first, the one refused with the expired token, and its retry.
    assertThat(imds.requests(INSTANCE_ID)).isEqualTo(3);
  }

  @ParameterizedTest
  @ValueSource(ints = {403, 404, 405})
  void get_tokenRefused_fallsBackToImdsV1(int refusal) {
    ScriptedServer imdsV1 = open(ScriptedServer.start(peer -> {
      for (Request request; (request = peer.read()) != null; ) {
        peer.write(request.method().equals("PUT") ? response(refusal, "") : response(200, request.path()));
      }
    }));
    Upstream upstream = upstream(imdsV1.endpoint());

    for (int i = 0; i < 3; i++) {
      Answer answer = block(fromCaller(i, () -> upstream.get(INSTANCE_ID)));
      assertThat(answer.status()).isEqualTo(200);
      assertThat(text(answer)).isEqualTo(INSTANCE_ID);
    }

    assertThat(imdsV1.requests(TOKEN_PATH)).isEqualTo(1);
    assertThat(imdsV1.requests()).filteredOn(request -> request.method().equals("GET")).hasSize(3)
        .noneMatch(request -> request.headers().containsKey(TokenHandler.TOKEN_HEADER));
  }

  @Test
  void get_tokenRequestFailsOnce_errorNotRemembered_nextRequestGetsAToken() {
    AtomicInteger puts = new AtomicInteger();
    ScriptedServer flaky = open(ScriptedServer.start(peer -> {
      for (Request request; (request = peer.read()) != null; ) {
        if (request.method().equals("PUT")) {
          peer.write(puts.incrementAndGet() == 1 ? response(503, "") : response(200, "a-token"));
        } else {
          peer.write(response(200, request.path()));
        }
      }
    }));
    Upstream upstream = upstream(flaky.endpoint());

    StepVerifier.create(upstream.get(INSTANCE_ID))
        .expectErrorSatisfies(error -> assertThat(error).hasMessageContaining("HTTP 503"))
        .verify(WAIT);
    assertThat(text(block(fromCaller(0, () -> upstream.get(INSTANCE_ID))))).isEqualTo(INSTANCE_ID);

    assertThat(flaky.requests(TOKEN_PATH)).isEqualTo(2);
    assertThat(flaky.requests()).filteredOn(request -> request.method().equals("GET")).singleElement()
        .satisfies(request -> assertThat(request.headers()).containsEntry(TokenHandler.TOKEN_HEADER, "a-token"));
  }

  @Test
  void get_nothingListening_failsAtOnce_thenRecoversWhenTheServiceIsUp() throws IOException {
    int port = freePort();
    Upstream upstream = upstream(URI.create("http://127.0.0.1:" + port));

    // Refused, not timed out: the client's own 2 s connect deadline would be a ConnectTimeoutException.
    StepVerifier.create(upstream.get(INSTANCE_ID))
        .expectErrorSatisfies(error -> assertThat(error)
            .isInstanceOf(ConnectException.class)
            .isNotInstanceOf(ConnectTimeoutException.class))
        .verify(WAIT);

    MetadataEmulator imds = open(MetadataEmulator.builder().port(port).start());
    assertThat(text(get(upstream, INSTANCE_ID))).isEqualTo(imds.instance().instanceId());
  }

  // ---- connection handling, against servers that misbehave on purpose

  @Test
  void exchange_staleKeepAliveConnection_retriedOnANewConnection() {
    ScriptedServer server = open(ScriptedServer.start(answerThenDrop(1), ECHO));
    UpstreamConnections connections = connections(server, 1, PATIENT);

    assertThat(text(block(onLoop(0, () -> get(connections, "/first"))))).isEqualTo("/first");
    // Sent on the kept-alive connection, which the server drops without answering.
    assertThat(text(block(onLoop(0, () -> get(connections, "/second"))))).isEqualTo("/second");

    assertThat(server.connections()).isEqualTo(2);
    assertThat(server.requests("/second")).isEqualTo(2);
  }

  @Test
  void exchange_everyIdleConnectionStale_retriedOnAFreshConnection() {
    ScriptedServer server = open(ScriptedServer.start(answerThenDrop(1), answerThenDrop(1), ECHO));
    UpstreamConnections connections = connections(server, 4, PATIENT);
    // Two exchanges started together on one loop open two connections, both then idle.
    List<Answer> warmUp = block(onLoop(0, () -> Flux.merge(get(connections, "/a"), get(connections, "/b")).collectList()));
    assertThat(warmUp).hasSize(2);
    assertThat(server.connections()).isEqualTo(2);

    // As when the upstream restarts: every idle connection is dead, and the retry must not pick another.
    assertThat(text(block(onLoop(0, () -> get(connections, "/c"))))).isEqualTo("/c");
    assertThat(server.connections()).isEqualTo(3);
  }

  @Test
  void exchange_noAnswer_failsAtTheDeadline_andFreesItsConnection() {
    ScriptedServer server = open(ScriptedServer.start(SILENT, ECHO));
    // One connection per loop: the next exchange gets through only if the silent one was let go.
    UpstreamConnections connections = connections(server, 1, Duration.ofSeconds(1));

    StepVerifier.create(onLoop(0, () -> get(connections, "/silent")))
        .expectError(TimeoutException.class)
        .verify(WAIT);
    Await.until("the client closes the connection it gave up on", () -> server.closedByClient() == 1);

    assertThat(text(block(onLoop(0, () -> get(connections, "/next"))))).isEqualTo("/next");
  }

  @Test
  void exchange_deadlineCountsFromWhenItWasQueued_notFromWhenItWasSent() {
    ScriptedServer server = open(ScriptedServer.start(SILENT));
    // One connection per loop: the second exchange waits behind the first, which is never answered.
    UpstreamConnections connections = connections(server, 1, Duration.ofSeconds(1));
    // A witness on the same loop whose deadline, 1.5 s, falls between 1 s from queueing and 1 s from sending.
    UpstreamConnections witness = connections(open(ScriptedServer.start(SILENT)), 1, Duration.ofMillis(1_500));

    // All started in one task of the loop, so the deadlines are ordered by the loop's own timer.
    List<String> failedInOrder = block(onLoop(0, () -> Flux.merge(
            failure(get(connections, "/first"), "first"),
            failure(get(connections, "/queued"), "queued"),
            failure(get(witness, "/witness"), "witness"))
        .collectList()));

    // Today's queue started the clock only when it sent the request, on the connection the first freed.
    assertThat(failedInOrder).containsExactly("first", "queued", "witness");
  }

  /** {@code label} once {@code exchange} fails with a timeout. */
  private static Mono<String> failure(Mono<Answer> exchange, String label) {
    return exchange.map(answer -> "answered " + label)
        .onErrorResume(TimeoutException.class, timedOut -> Mono.just(label));
  }

  @Test
  void exchange_bodyOverOneMebibyte_fails() {
    ScriptedServer server = open(ScriptedServer.start(OVERSIZED, ECHO));
    UpstreamConnections connections = connections(server, 1, PATIENT);

    StepVerifier.create(onLoop(0, () -> get(connections, "/huge")))
        .expectError(TooLongFrameException.class)
        .verify(WAIT);

    assertThat(text(block(onLoop(0, () -> get(connections, "/next"))))).isEqualTo("/next");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nbody cut short",
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Len",
      "HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n",
  })
  void exchange_answerCutShortOrMalformed_failsRatherThanPassingItOn(String answer) {
    ScriptedServer server = open(ScriptedServer.start(peer -> {
      peer.read();
      peer.write(answer);
    }, ECHO));
    UpstreamConnections connections = connections(server, 1, PATIENT);

    StepVerifier.create(onLoop(0, () -> get(connections, "/broken")))
        .expectError()
        .verify(WAIT);

    assertThat(text(block(onLoop(0, () -> get(connections, "/next"))))).isEqualTo("/next");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/a b", "/a\r\nX-Injected: 1", "/caf\u00e9", ""})
  void exchange_pathThatCouldSplitTheRequest_failsWithoutSendingAnything(String path) {
    ScriptedServer server = open(ScriptedServer.start(ECHO));
    UpstreamConnections connections = connections(server, 1, PATIENT);

    StepVerifier.create(onLoop(0, () -> get(connections, path)))
        .expectError(IllegalArgumentException.class)
        .verify(WAIT);

    // The next request is the first the upstream sees, and arrives whole.
    assertThat(text(block(onLoop(0, () -> get(connections, "/next"))))).isEqualTo("/next");
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void exchange_tokenWithALineBreak_failsWithoutSendingAnything() {
    ScriptedServer server = open(ScriptedServer.start(ECHO));
    UpstreamConnections connections = connections(server, 1, PATIENT);

    StepVerifier.create(onLoop(0, () -> connections.exchange(HttpMethod.GET, "/x", TokenHandler.TOKEN_HEADER,
            "token\r\nX-Injected: 1")))
        .expectError(IllegalArgumentException.class)
        .verify(WAIT);

    assertThat(text(block(onLoop(0, () -> get(connections, "/next"))))).isEqualTo("/next");
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void close_failsInFlightWaitingAndLaterExchanges() throws Exception {
    ScriptedServer server = open(ScriptedServer.start(SILENT));
    UpstreamConnections connections = connections(server, 1, PATIENT);
    CompletableFuture<Answer> inFlight = onLoop(0, () -> get(connections, "/in-flight")).toFuture();
    Await.until("the first exchange reaches the server", () -> server.requests("/in-flight") == 1);
    // The loop's one connection is busy: this one waits in the loop's queue.
    CompletableFuture<Answer> waiting = onLoop(0, () -> get(connections, "/waiting")).toFuture();
    awaitTasksOf(0);

    connections.close();

    for (CompletableFuture<Answer> pending : List.of(inFlight, waiting)) {
      assertThat(pending).failsWithin(WAIT)
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(ClosedChannelException.class);
    }
    StepVerifier.create(get(connections, "/later"))
        .expectError(ClosedChannelException.class)
        .verify(WAIT);
    assertThat(server.requests("/waiting")).isZero();
  }

  // ---- helpers

  private <T extends AutoCloseable> T open(T resource) {
    opened.push(resource);
    return resource;
  }

  private Upstream upstream(URI base) {
    return open(Upstream.http(base, group));
  }

  private UpstreamConnections connections(ScriptedServer server, int maxPerLoop, Duration timeout) {
    return open(new UpstreamConnections(server.endpoint(), group, maxPerLoop, timeout, IDLE));
  }

  private static Mono<Answer> get(UpstreamConnections connections, String path) {
    return connections.exchange(HttpMethod.GET, path, null, null);
  }

  private static Answer get(Upstream upstream, String path) {
    return block(upstream.get(path));
  }

  /** {@code call}, made from inside event loop {@code index}, as the proxy's request path makes it. */
  private <T> Mono<T> onLoop(int index, Supplier<Mono<T>> call) {
    return Mono.defer(call).subscribeOn(Schedulers.fromExecutor(loops.get(index)));
  }

  /** {@code call}, made in turn from each event loop and from the test thread. */
  private <T> Mono<T> fromCaller(int turn, Supplier<Mono<T>> call) {
    int caller = turn % (LOOPS + 1);
    return caller == LOOPS ? Mono.defer(call) : onLoop(caller, call);
  }

  /** Returns once event loop {@code index} has run every task handed to it so far. */
  private void awaitTasksOf(int index) throws Exception {
    loops.get(index).submit(() -> null).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static <T> T block(Mono<T> call) {
    return call.block(WAIT);
  }

  private static String text(Answer answer) {
    return new String(answer.body(), StandardCharsets.UTF_8);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, ScriptedServer.LOOPBACK)) {
      return socket.getLocalPort();
    }
  }

  // ---- scripted servers

  /** Answers every request 200 with its own path as the body, keeping the connection open. */
  private static final Script ECHO = peer -> {
    for (Request request; (request = peer.read()) != null; ) {
      peer.write(response(200, request.path()));
    }
  };

  /** Reads a request and never answers; returns once the client gives up and closes. */
  private static final Script SILENT = peer -> {
    peer.read();
    peer.awaitClientClose();
  };

  /** Answers with a chunked body that runs past {@link UpstreamConnections#MAX_BODY}. */
  private static final Script OVERSIZED = peer -> {
    peer.read();
    peer.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n");
    byte[] chunk = new byte[64 * 1024];
    for (int sent = 0; sent <= UpstreamConnections.MAX_BODY; sent += chunk.length) {
      peer.write(Integer.toHexString(chunk.length) + "\r\n");
      peer.write(chunk);
      peer.write("\r\n");
    }
    peer.write("0\r\n\r\n");
  };

  /**
   * Answers {@code answered} requests as if keeping the connection alive, then reads one more and
   * closes without a word: a keep-alive connection gone stale just as the client reused it.
   */
  private static Script answerThenDrop(int answered) {
    return peer -> {
      for (int i = 0; i < answered; i++) {
        peer.write(response(200, peer.read().path()));
      }
      peer.read();
    };
  }

  private static String response(int status, String body) {
    return "HTTP/1.1 " + status + " Scripted\r\nContent-Type: text/plain\r\nContent-Length: "
        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
  }

  /** What one connection of a {@link ScriptedServer} does; it closes when the script returns. */
  @FunctionalInterface
  private interface Script {
    void play(ScriptedServer.Peer peer) throws IOException;
  }

  /** A request head as a {@link ScriptedServer} read it; header names in any case. */
  private record Request(String method, String path, Map<String, String> headers) {}

  /**
   * A bare HTTP/1.1 server on 127.0.0.1 whose n-th connection follows the n-th script (the last
   * script for every later connection). Each connection has a thread of its own, never a Netty
   * loop's, so scripts may block.
   */
  private static final class ScriptedServer implements AutoCloseable {

    static final InetAddress LOOPBACK = loopback();

    private final ServerSocket listener;
    private final List<Script> scripts;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "scripted-server");
      thread.setDaemon(true);
      return thread;
    });
    private final Queue<Socket> sockets = new ConcurrentLinkedQueue<>();
    private final Queue<Request> requests = new ConcurrentLinkedQueue<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger closedByClient = new AtomicInteger();

    private ScriptedServer(ServerSocket listener, List<Script> scripts) {
      this.listener = listener;
      this.scripts = scripts;
      threads.execute(this::accept);
    }

    static ScriptedServer start(Script... scripts) {
      try {
        return new ScriptedServer(new ServerSocket(0, 50, LOOPBACK), List.of(scripts));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    URI endpoint() {
      return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    int connections() {
      return connections.get();
    }

    /** Connections on which the script waited for the client to close, and it did. */
    int closedByClient() {
      return closedByClient.get();
    }

    List<Request> requests() {
      return List.copyOf(requests);
    }

    int requests(String path) {
      return (int) requests.stream().filter(request -> request.path().equals(path)).count();
    }

    /** Stops accepting and closes every connection, which ends every script at its next read or write. */
    @Override
    public void close() throws IOException {
      listener.close();
      for (Socket socket : sockets) {
        socket.close();
      }
      threads.shutdownNow();
    }

    private void accept() {
      try {
        while (true) {
          Socket socket = listener.accept();
          sockets.add(socket);
          Script script = scripts.get(Math.min(connections.getAndIncrement(), scripts.size() - 1));
          threads.execute(() -> converse(socket, script));
        }
      } catch (IOException closed) {
        // close() stopped the server.
      }
    }

    private void converse(Socket socket, Script script) {
      try (socket) {
        script.play(new Peer(socket));
      } catch (IOException gone) {
        // The client closed or reset the connection; some scripts provoke exactly that.
      }
    }

    private static InetAddress loopback() {
      try {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The server's end of one connection. */
    final class Peer {
      private final InputStream in;
      private final OutputStream out;

      private Peer(Socket socket) throws IOException {
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
      }

      /** The next request head (the client sends no bodies), or null once the client has closed. */
      Request read() throws IOException {
        String requestLine = line();
        if (requestLine == null) {
          return null;
        }
        String[] parts = requestLine.split(" ");
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String header; (header = line()) != null && !header.isEmpty(); ) {
          int colon = header.indexOf(':');
          headers.put(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
        }
        Request request = new Request(parts[0], parts[1], headers);
        requests.add(request);
        return request;
      }

      void write(String ascii) throws IOException {
        write(ascii.getBytes(StandardCharsets.US_ASCII));
      }

      void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
      }

      void awaitClientClose() {
        try {
          while (in.read() != -1) {
            // Discard whatever else arrives.
          }
        } catch (IOException reset) {
          // A reset is a close too.
        }
        closedByClient.incrementAndGet();
      }

      private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) != -1; ) {
          if (b == '\n') {
            return line.toString();
          }
          if (b != '\r') {
            line.append((char) b);
          }
        }
        return line.isEmpty() ? null : line.toString();
      }
    }
  }
}
