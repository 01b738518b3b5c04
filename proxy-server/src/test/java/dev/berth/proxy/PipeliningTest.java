package dev.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * HTTP/1.1 pipelining, as a client may send it: many requests written at once on one connection.
 * Each is answered, in order, or the connection is closed; the connection never stalls.
 */
final class PipeliningTest {

  @AutoClose
  private ProxyHarness harness;

  /** Asynchronous answers: forwarded (uncached, then cached and merged), and a caller that is no container (looked up). */
  @ParameterizedTest
  @CsvSource({"/latest/meta-data/instance-id, 0, 200", "/latest/meta-data/instance-id, 1, 200",
      "/latest/meta-data/iam/security-credentials/, 0, 404"})
  void pipelinedRequests_answeredInOrderOrClosed_neverStalled(String path, int cacheSeconds, int status)
      throws IOException {
    harness = ProxyHarness.start(false, false, 10_000, Duration.ofSeconds(cacheSeconds));
    int sent = 100;
    StringBuilder requests = new StringBuilder();
    for (int i = 0; i < sent; i++) {
      requests.append("GET ").append(path).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    // A stalled connection shows as a read timeout; a closed one as the end of the stream.
    try (Socket socket = harness.socketFrom(11)) {
      socket.getOutputStream().write(requests.toString().getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = new BufferedInputStream(socket.getInputStream());
      List<Integer> statuses = new ArrayList<>();
      try {
        for (String head; statuses.size() < sent && (head = readHead(in)) != null; ) {
          statuses.add(Integer.parseInt(head.split(" ")[1]));
          in.readNBytes(contentLength(head));
        }
      } catch (SocketTimeoutException stalled) {
        throw new AssertionError("the connection stalled after " + statuses.size() + " of " + sent + " answers");
      }
      assertThat(statuses).isNotEmpty().allSatisfy(answered -> assertThat(answered).isEqualTo(status));
      if (statuses.size() < sent) {
        assertThat(in.read()).as("the connection is closed after the last answer").isEqualTo(-1);
      }
    }
  }

  /** The next response head, or null at the end of the stream. */
  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    for (int b; !head.toString().endsWith("\r\n\r\n"); ) {
      b = in.read();
      if (b == -1) {
        return null;
      }
      head.append((char) b);
    }
    return head.toString();
  }

  private static int contentLength(String head) {
    return head.lines()
        .filter(line -> line.toLowerCase().startsWith("content-length:"))
        .map(line -> Integer.parseInt(line.substring(line.indexOf(':') + 1).trim()))
        .findFirst().orElse(0);
  }
}
