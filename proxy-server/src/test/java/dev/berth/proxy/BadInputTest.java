package dev.berth.proxy;

import dev.berth.testing.Await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.proxy.ProxyHarness.Caller;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input over raw sockets: each gets the real service's status or a clean close, and everyone else is still served. */
final class BadInputTest {

  private static final int MAX_CONNECTIONS = 40;
  private ProxyHarness harness;
  private Caller web;

  @BeforeEach
  void start() {
    harness = ProxyHarness.start(false, false, MAX_CONNECTIONS);
    harness.container(10, "web", Map.of(), Map.of("IAM_ROLE", "web-role"));
    web = harness.from(10);
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  private Socket connect() throws IOException {
    return harness.socketFrom(10);
  }

  /** Sends raw bytes and reads the status line, or null when the server closed without answering. */
  private String exchange(byte[] request) throws IOException {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      String head = readHead(socket.getInputStream());
      return head.isEmpty() ? null : head.lines().findFirst().orElse(null);
    }
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int b;
    while ((b = in.read()) != -1) {
      head.append((char) b);
      if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    return head.toString();
  }

  private void stillServesOthers() {
    assertThat(web.get("/latest/meta-data/iam/security-credentials/").body()).isEqualTo("web-role");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "GARBAGE\r\n\r\n",
      "GET\r\n\r\n",
      "GET /latest/meta-data/ HTTP/9.9\r\n\r\n",
      "GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /latest/%zz HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /latest/meta-data/%00 HTTP/1.1\r\nHost: x\r\n\r\n",
  })
  void malformedRequest_400OrClose(String request) throws IOException {
    String status = exchange(request.getBytes(StandardCharsets.ISO_8859_1));
    if (status != null) {
      assertThat(status).matches("HTTP/\\S+ (400|505) .*");
    }
    stillServesOthers();
  }

  @Test
  void oversizedHeaders_431() throws IOException {
    String request = "GET /latest/meta-data/ HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n";
    assertThat(exchange(request.getBytes(StandardCharsets.ISO_8859_1))).startsWith("HTTP/1.1 431");
    stillServesOthers();
  }

  @Test
  void oversizedPath_414() throws IOException {
    String request = "GET /latest/meta-data/" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    assertThat(exchange(request.getBytes(StandardCharsets.ISO_8859_1))).startsWith("HTTP/1.1 414");
    stillServesOthers();
  }

  @Test
  void slowClient_othersServedMeanwhile() throws IOException {
    try (Socket slow = connect()) {
      slow.getOutputStream().write("GET /latest/meta-data/iam/secu".getBytes(StandardCharsets.ISO_8859_1));
      slow.getOutputStream().flush();
      stillServesOthers();
      slow.getOutputStream().write("rity-credentials/ HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      assertThat(readHead(slow.getInputStream())).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void connectionFlood_pastLimitClosed_thenRecovers() throws IOException {
    List<Socket> held = new ArrayList<>();
    int answered = 0;
    int closed = 0;
    try {
      for (int i = 0; i < MAX_CONNECTIONS + 10; i++) {
        held.add(connect());
      }
      for (Socket socket : held) {
        try {
          socket.getOutputStream().write(
              "GET /latest/meta-data/ HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          String head = readHead(socket.getInputStream());
          if (head.startsWith("HTTP/1.1 200")) {
            answered++;
          } else if (head.isEmpty()) {
            closed++;
          }
        } catch (java.net.SocketException reset) {
          closed++;
        }
      }
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
    assertThat(answered).isEqualTo(MAX_CONNECTIONS);
    assertThat(closed).isEqualTo(10);
    Await.until("the held connections are released",
        () -> web.get("/latest/meta-data/iam/security-credentials/").status() == 200);
  }
}
