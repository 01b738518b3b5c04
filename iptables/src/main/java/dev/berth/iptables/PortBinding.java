package dev.berth.iptables;

import java.net.InetAddress;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One container's attachment to a bridge, as the bridge guard binds it: frames arriving on {@code
 * port} (the host side of the container's veth) must carry {@code mac} and one of {@code
 * addresses}, and no other port may claim them.
 *
 * @param port the host-side interface of the container's veth pair (e.g. {@code veth13a4a92})
 * @param mac the container's MAC address on that network, lower case ({@code 02:42:c6:12:00:02})
 * @param addresses the container's IPv4 and IPv6 addresses on that network, at least one; IPv6
 *     link-local addresses derived from {@code mac} are allowed without being listed
 */
public record PortBinding(String port, String mac, List<InetAddress> addresses) {

  private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
  private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");

  public PortBinding {
    Objects.requireNonNull(port, "port");
    Objects.requireNonNull(mac, "mac");
    Objects.requireNonNull(addresses, "addresses");
    if (!INTERFACE.matcher(port).matches()) {
      throw new IllegalArgumentException("port '" + port + "' is not an interface name (1 to 15 of A-Z a-z 0-9 _ . -)");
    }
    mac = mac.toLowerCase(Locale.ROOT);
    if (!MAC.matcher(mac).matches() || mac.equals("00:00:00:00:00:00") || (Integer.parseInt(mac.substring(0, 2), 16) & 1) != 0) {
      throw new IllegalArgumentException("MAC address '" + mac + "' of port " + port + " is not a unicast MAC "
          + "(six hex bytes, e.g. 02:42:ac:11:00:02)");
    }
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("port " + port + " has no address to bind");
    }
    addresses = sorted(addresses);
  }

  /** A binding of {@code port} to {@code mac} and {@code addresses}. */
  public static PortBinding of(String port, String mac, Collection<InetAddress> addresses) {
    return new PortBinding(port, mac, List.copyOf(addresses));
  }

  private static List<InetAddress> sorted(List<InetAddress> addresses) {
    return addresses.stream().map(Objects::requireNonNull).distinct()
        .sorted(Comparator.comparing(Addresses::format)).toList();
  }
}
