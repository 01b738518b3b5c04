package dev.berth.iptables;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What Berth's packet rules should do: steer tcp to the metadata address ({@code
 * 169.254.169.254:80}, and {@code [fd00:ec2::254]:80} with IPv6) arriving on each bridge interface
 * to the proxy, and drop traffic to the proxy's port arriving on any other interface.
 *
 * <pre>{@code
 * IptablesSpec spec = IptablesSpec.dnat("172.17.0.1", 18000)
 *     .withInterfaces(List.of("docker0", "br-3f2a9c1d7e4b"));
 * IptablesSpec same = IptablesSpec.forListener(proxy.address()).withInterfaces(bridges);
 * }</pre>
 *
 * <p>The compact constructor rejects what cannot work, with a message that says what to do.
 * Interfaces are kept sorted and without duplicates, so the same set always renders the same rules.
 *
 * @param steering {@link Steering#DNAT} to {@code proxyAddress}, or {@link Steering#REDIRECT} to the
 *     address of the interface the packet arrived on
 * @param proxyAddress the IPv4 address the proxy listens on (DNAT only; {@code null} for REDIRECT)
 * @param proxyAddress6 the IPv6 address the proxy listens on, or {@code null}: with DNAT and no IPv6
 *     address, {@code fd00:ec2::254} is not steered (the guard still applies)
 * @param proxyPort the proxy's port, 1..65535
 * @param interfaces the bridge interfaces whose containers are steered to the proxy
 * @param loopbackAllowed whether the proxy's port stays reachable over {@code lo} (the host itself)
 * @param ipv6 whether to write the IPv6 rules with ip6tables
 * @param perSourceConnections connections to the proxy's port one source address may hold; more are
 *     reset by the kernel before the proxy sees them (0: no such limit)
 * @param perSourcePackets packets per second to the proxy's port one source address may send (twice
 *     that in a burst); more are dropped by the kernel, so a flooding container slows itself down
 *     without costing the proxy's event loop (0: no such limit)
 */
public record IptablesSpec(
    Steering steering,
    InetAddress proxyAddress,
    InetAddress proxyAddress6,
    int proxyPort,
    List<String> interfaces,
    boolean loopbackAllowed,
    Ipv6 ipv6,
    int perSourceConnections,
    int perSourcePackets) {

  /** How packets for the metadata address reach the proxy. */
  public enum Steering {
    /** Rewrite the destination to the proxy's address and port. */
    DNAT,
    /** Rewrite the destination to the arriving interface's own address and the proxy's port. */
    REDIRECT
  }

  /** Whether IPv6 rules are written. */
  public enum Ipv6 {
    /** Where the host has IPv6 ({@code /proc/net/if_inet6} exists). */
    AUTO,
    /** Always; fails without ip6tables. */
    ON,
    /** Never. */
    OFF
  }

  private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

  public IptablesSpec {
    Objects.requireNonNull(steering, "steering");
    Objects.requireNonNull(ipv6, "ipv6");
    if (proxyPort < 1 || proxyPort > 65_535) {
      throw new IllegalArgumentException("proxy port " + proxyPort + " is outside 1..65535");
    }
    if (steering == Steering.REDIRECT && (proxyAddress != null || proxyAddress6 != null)) {
      throw new IllegalArgumentException("REDIRECT takes no proxy address: it sends packets to the address of the "
          + "interface they arrive on; drop the address, or use DNAT");
    }
    if (steering == Steering.DNAT) {
      if (proxyAddress == null) {
        throw new IllegalArgumentException("DNAT needs the IPv4 address the proxy listens on (e.g. the docker0 "
            + "gateway 172.17.0.1); use REDIRECT when the proxy listens on 0.0.0.0");
      }
      if (!(proxyAddress instanceof Inet4Address)) {
        throw new IllegalArgumentException("proxy address " + Addresses.format(proxyAddress) + " is IPv6: give the "
            + "IPv4 address the proxy listens on, and the IPv6 one as the IPv6 proxy address");
      }
      requireRoutable(proxyAddress);
      if (proxyAddress6 != null) {
        if (!(proxyAddress6 instanceof Inet6Address)) {
          throw new IllegalArgumentException("IPv6 proxy address " + Addresses.format(proxyAddress6) + " is IPv4");
        }
        requireRoutable(proxyAddress6);
      }
    }
    interfaces = normalised(interfaces);
    if (perSourceConnections < 0 || perSourcePackets < 0) {
      throw new IllegalArgumentException("per-source limits must be 0 (none) or positive, got " + perSourceConnections
          + " connections and " + perSourcePackets + " packets/s");
    }
  }

  /** A spec without per-source limits. */
  public IptablesSpec(Steering steering, InetAddress proxyAddress, InetAddress proxyAddress6, int proxyPort,
      List<String> interfaces, boolean loopbackAllowed, Ipv6 ipv6) {
    this(steering, proxyAddress, proxyAddress6, proxyPort, interfaces, loopbackAllowed, ipv6, 0, 0);
  }

  /** DNAT to {@code proxyAddress:proxyPort}; {@code proxyAddress} is an IPv4 literal. */
  public static IptablesSpec dnat(String proxyAddress, int proxyPort) {
    return new IptablesSpec(Steering.DNAT, Addresses.parse("proxy address", proxyAddress), null, proxyPort,
        List.of(), false, Ipv6.AUTO);
  }

  /** REDIRECT to {@code proxyPort} on the arriving interface's address (the proxy listens on 0.0.0.0). */
  public static IptablesSpec redirect(int proxyPort) {
    return new IptablesSpec(Steering.REDIRECT, null, null, proxyPort, List.of(), false, Ipv6.AUTO);
  }

  /**
   * The spec for a proxy listening at {@code listening}: REDIRECT when it listens on every address
   * ({@code 0.0.0.0} or {@code ::}), DNAT to its address otherwise. No interfaces yet.
   */
  public static IptablesSpec forListener(InetSocketAddress listening) {
    Objects.requireNonNull(listening, "listening");
    InetAddress address = listening.getAddress();
    if (address == null || address.isAnyLocalAddress()) {
      return redirect(listening.getPort());
    }
    if (address instanceof Inet6Address) {
      throw new IllegalArgumentException("the proxy listens on IPv6 address " + Addresses.format(address)
          + " only: IPv4 containers could not reach it; listen on 0.0.0.0 or an IPv4 bridge address");
    }
    return new IptablesSpec(Steering.DNAT, address, null, listening.getPort(), List.of(), false, Ipv6.AUTO);
  }

  /** The same spec for exactly these bridge interfaces (e.g. {@code docker0}, {@code br-3f2a9c1d7e4b}). */
  public IptablesSpec withInterfaces(Collection<String> names) {
    return new IptablesSpec(steering, proxyAddress, proxyAddress6, proxyPort, List.copyOf(names), loopbackAllowed, ipv6,
        perSourceConnections, perSourcePackets);
  }

  /** The same spec, DNATing {@code fd00:ec2::254} to {@code address} (an IPv6 literal). */
  public IptablesSpec withProxyAddress6(String address) {
    return new IptablesSpec(steering, proxyAddress, Addresses.parse("IPv6 proxy address", address), proxyPort,
        interfaces, loopbackAllowed, ipv6, perSourceConnections, perSourcePackets);
  }

  /** The same spec, with the proxy's port reachable (or not) from the host itself over {@code lo}. */
  public IptablesSpec withLoopbackAllowed(boolean allowed) {
    return new IptablesSpec(steering, proxyAddress, proxyAddress6, proxyPort, interfaces, allowed, ipv6,
        perSourceConnections, perSourcePackets);
  }

  /** The same spec with IPv6 rules written {@code mode}. */
  public IptablesSpec withIpv6(Ipv6 mode) {
    return new IptablesSpec(steering, proxyAddress, proxyAddress6, proxyPort, interfaces, loopbackAllowed, mode,
        perSourceConnections, perSourcePackets);
  }

  /**
   * The same spec, with the kernel limiting each source address on a steered interface to {@code
   * connections} connections to the proxy's port and {@code packetsPerSecond} packets per second
   * (0 for no limit): a container flooding the proxy is slowed down before the proxy spends time on it.
   */
  public IptablesSpec withPerSourceLimits(int connections, int packetsPerSecond) {
    return new IptablesSpec(steering, proxyAddress, proxyAddress6, proxyPort, interfaces, loopbackAllowed, ipv6,
        connections, packetsPerSecond);
  }

  private static void requireRoutable(InetAddress address) {
    if (address.isAnyLocalAddress()) {
      throw new IllegalArgumentException("proxy address " + Addresses.format(address) + " is the wildcard: give the "
          + "address the proxy listens on (e.g. the docker0 gateway 172.17.0.1), or use REDIRECT");
    }
    if (address.isLoopbackAddress()) {
      throw new IllegalArgumentException("proxy address " + Addresses.format(address) + " is loopback: the kernel "
          + "drops packets from a bridge DNATed to it (route_localnet); let the proxy listen on the bridge gateway "
          + "(e.g. 172.17.0.1) or 0.0.0.0 and give that address, or use REDIRECT");
    }
  }

  private static List<String> normalised(List<String> names) {
    Objects.requireNonNull(names, "interfaces");
    TreeSet<String> sorted = new TreeSet<>();
    for (String name : names) {
      if (name == null || !INTERFACE.matcher(name).matches() || name.equals(".") || name.equals("..")) {
        throw new IllegalArgumentException("interface '" + name + "' is not an interface name (1 to 15 of "
            + "A-Z a-z 0-9 _ . -), e.g. docker0");
      }
      if (name.equals("lo")) {
        throw new IllegalArgumentException("interface 'lo' is loopback, not a bridge: let the host itself in with "
            + "withLoopbackAllowed(true) (--allow-loopback) instead");
      }
      sorted.add(name);
    }
    return List.copyOf(sorted);
  }
}
