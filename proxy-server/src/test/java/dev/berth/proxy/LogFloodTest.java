package dev.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.proxy.ProxyHarness.Caller;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

/**
 * A caller cannot write the proxy's log: under a flood of each kind of request that fails the
 * expected way, the log grows by a few lines, none of them a stack trace or a header dump. The
 * proxy logs through the daemon's own logging settings (slf4j-simple, to stderr), captured here.
 */
final class LogFloodTest {

  private static final int FLOOD = 200;
  /** The first line for the caller, plus at most a line or two of other kinds. */
  private static final int FEW = 5;
  @AutoClose
  private ProxyHarness harness;

  @Test
  void oversizedHeaders_fewLines() throws IOException {
    harness = ProxyHarness.start();
    StringBuilder headers = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      headers.append("X-Header-").append(i).append(": ").append("v".repeat(100)).append("\r\n");
    }
    List<String> lines = logOfFlood(() -> assertThat(
        exchange("GET /latest/meta-data/ HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n")).startsWith("HTTP/1.1 431"));
    assertThat(lines).noneMatch(line -> line.contains("X-Header-"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET /latest/%zz HTTP/1.1\r\nHost: x\r\n\r\n", "GARBAGE\r\n\r\n",
      "GET /latest/meta-data/ HTTP/9.9\r\n\r\n"})
  void malformedRequests_fewLines(String request) throws IOException {
    harness = ProxyHarness.start();
    logOfFlood(() -> exchange(request));
  }

  @ParameterizedTest
  @CsvSource({"/latest/meta-data/a%20b, 404", "/latest/meta-data/placement/region, 502"})
  void passThrough_upstreamDown_fewLines(String path, int status) throws IOException {
    // A space is outside the metadata service's alphabet: that path is refused here, never forwarded.
    harness = ProxyHarness.start();
    harness.upstream.close();
    Caller caller = harness.from(11);
    logOfFlood(() -> assertThat(caller.get(path).status()).isEqualTo(status));
  }

  @Test
  void passThrough_upstreamFails_fewLines() throws IOException {
    harness = ProxyHarness.start(10_000, 256, 32, path -> Mono.error(new IOException("upstream down")));
    Caller caller = harness.from(11);
    logOfFlood(() -> assertThat(caller.get("/latest/meta-data/placement/region").status()).isEqualTo(502));
  }

  @Test
  void stsDenies_fewLines() throws IOException {
    harness = ProxyHarness.start();
    // Denied before the container is known: its prefetch must not fetch credentials first.
    harness.sts.faults().denyRole(".*denied-role");
    harness.container(11, "denied", Map.of(), Map.of("IAM_ROLE", "denied-role"));
    Caller caller = harness.from(11);
    logOfFlood(() -> assertThat(caller.get("/latest/meta-data/iam/security-credentials/denied-role").status())
        .isGreaterThanOrEqualTo(400));
  }

  /** The lines logged while {@code request} runs {@value #FLOOD} times; asserts they are few and carry no stack trace. */
  private List<String> logOfFlood(Request request) throws IOException {
    try (StderrCapture log = StderrCapture.start()) {
      for (int i = 0; i < FLOOD; i++) {
        request.run();
      }
      // The proxy's own handling of the last requests may still be under way: close it so that
      // every line it would write is written.
      harness.proxy.close();
      List<String> lines = log.lines();
      assertThat(lines).as("log lines").hasSizeLessThanOrEqualTo(FEW);
      assertThat(lines).as("stack trace lines").noneMatch(line -> line.startsWith("\tat ") || line.startsWith("Caused by"));
      return lines;
    }
  }

  private String exchange(String request) throws IOException {
    try (Socket socket = harness.socketFrom(11)) {
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      return ProxyHarness.readHead(socket.getInputStream());
    } catch (SocketException reset) {
      return "";
    }
  }

  @FunctionalInterface
  private interface Request {
    void run() throws IOException;
  }
}
