package dev.berth.encryptor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Who may reach the encryptor's status port when {@code --status-cidr} is not given: this machine's
 * own address on its route to the encryptor's subnet, as a /32 — never 0.0.0.0/0. Found by
 * connecting a UDP socket (no packet is sent) and asking the kernel which source it chose.
 * Blocking (a system call): run it off the loop.
 */
final class StatusCidr {

  private StatusCidr() {}

  /** The /32 of the source address toward {@code subnetCidr}'s first host, or a refusal naming the options. */
  static String toward(String subnetCidr) {
    String network = subnetCidr.substring(0, subnetCidr.indexOf('/'));
    String[] octets = network.split("\\.");
    String firstHost = octets[0] + "." + octets[1] + "." + octets[2] + "." + (Integer.parseInt(octets[3]) + 1);
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.connect(new InetSocketAddress(InetAddress.getByName(firstHost), 9));
      InetAddress local = socket.getLocalAddress();
      if (local == null || local.isAnyLocalAddress()) {
        throw EncryptorException.invalid("no route from this machine to the subnet " + subnetCidr
            + "; expected --status-cidr naming the address the encryptor will see");
      }
      return local.getHostAddress() + "/32";
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find this machine's address toward " + subnetCidr + ": " + e.getMessage(), e);
    }
  }
}
