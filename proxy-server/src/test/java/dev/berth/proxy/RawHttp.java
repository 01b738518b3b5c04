package dev.berth.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One request written byte for byte on a fresh connection, for request targets an HTTP client
 * library would refuse or normalise ({@code %2569am}, backslashes, raw UTF-8).
 */
final class RawHttp {

  private RawHttp() {}

  /** The whole answer as text, or empty when the server closed without answering. */
  static String get(InetAddress from, InetSocketAddress proxy, String target) throws IOException {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(from, 0));
      socket.connect(proxy, 5_000);
      socket.setSoTimeout(15_000);
      String request = "GET " + target + " HTTP/1.1\r\nHost: 169.254.169.254\r\nConnection: close\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      return readAll(socket.getInputStream());
    }
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    try {
      in.transferTo(answer);
    } catch (java.net.SocketException reset) {
      // A reset after (or instead of) the answer: what arrived is the answer.
    }
    return answer.toString(StandardCharsets.UTF_8);
  }
}
