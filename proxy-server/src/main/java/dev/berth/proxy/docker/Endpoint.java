package dev.berth.proxy.docker;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * A container's attachment to one network, as the engine reports it.
 *
 * @param network the network's name ({@code bridge} for Docker's default)
 * @param mac the container's MAC address on it, lower case; empty when the engine reports none
 * @param addresses its IPv4 and IPv6 addresses on it
 */
public record Endpoint(String network, String mac, List<InetAddress> addresses) {

  public Endpoint {
    Objects.requireNonNull(network, "network");
    mac = mac == null ? "" : mac.toLowerCase(java.util.Locale.ROOT);
    addresses = List.copyOf(addresses);
  }
}
