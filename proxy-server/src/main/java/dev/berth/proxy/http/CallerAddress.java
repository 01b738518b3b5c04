package dev.berth.proxy.http;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;

/** Who is calling: the source address of a connection, one per container. */
final class CallerAddress {

  private CallerAddress() {}

  /** The address of {@code remote}, with IPv4-mapped IPv6 addresses turned back into IPv4. */
  static InetAddress of(SocketAddress remote) {
    InetAddress address = remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    if (address == null) {
      return InetAddress.getLoopbackAddress();
    }
    if (address instanceof Inet6Address v6) {
      byte[] raw = v6.getAddress();
      boolean mapped = raw[10] == (byte) 0xff && raw[11] == (byte) 0xff;
      for (int i = 0; i < 10 && mapped; i++) {
        mapped = raw[i] == 0;
      }
      if (mapped) {
        try {
          return InetAddress.getByAddress(new byte[] {raw[12], raw[13], raw[14], raw[15]});
        } catch (UnknownHostException impossible) {
          throw new IllegalStateException(impossible);
        }
      }
    }
    return address;
  }
}
