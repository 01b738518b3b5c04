package dev.berth.iptables;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/*
 * Design notes. The guard is one nftables table in the bridge family, owned by Berth, on the
 * bridge's prerouting hook: it sees a frame after it arrives on a port and before the bridge learns
 * its source MAC, forwards it, or hands it to the host. A bound port may only speak as its own
 * container (source MAC, ARP sender MAC and IP, IPv4/IPv6 source, neighbour-advertisement target);
 * any other port may not claim an address a bound container holds. All per-port data lives in
 * sets keyed by the port's name, so a binding is a handful of element updates in one transaction
 * and a lookup costs the same for 1 or 1,000 containers.
 *
 * nft 1.0.6 (Debian 12) has no `icmpv6 taddr`: the neighbour-advertisement target is read as the
 * raw 128 bits after the ICMPv6 header's first 8 bytes (@th,64,128), with sets typed to match.
 */

/** Renders the bridge guard's nftables table and the element updates that bind and unbind ports. */
final class GuardRules {

  static final String FAMILY = "bridge";
  static final String TABLE = "berth";
  static final String QUALIFIED = FAMILY + " " + TABLE;

  private GuardRules() {}

  /** The whole table holding exactly {@code bindings}, replacing any table of that name in one transaction. */
  static String table(Collection<PortBinding> bindings) {
    StringBuilder out = new StringBuilder();
    // "table" creates it when missing, so that "delete" never fails; all of it is one transaction.
    out.append("table ").append(QUALIFIED).append('\n');
    out.append("delete table ").append(QUALIFIED).append('\n');
    out.append("table ").append(QUALIFIED).append(" {\n");
    out.append("  comment \"Berth: each container port speaks only with its own MAC and addresses\"\n");
    for (String set : SETS) {
      out.append("  set ").append(set).append(" { ").append(setType(set)).append("; }\n");
    }
    out.append("""
          chain prerouting {
            type filter hook prerouting priority -300; policy accept;
            iifname @ports jump bound_port
            # only ports not bound get here: they may not claim what a bound container holds
            ether saddr @claimed_mac drop
            ether type arp arp saddr ether @claimed_mac drop
            ether type arp arp saddr ip @claimed_ip4 drop
            ip saddr @claimed_ip4 drop
            ip6 saddr @claimed_ip6 drop
            icmpv6 type nd-neighbor-advert @th,64,128 @claimed_nd drop
          }
          chain bound_port {
            iifname . ether saddr != @port_mac drop
            ether type arp iifname . arp saddr ether != @port_mac drop
            ether type arp arp saddr ip != 0.0.0.0 iifname . arp saddr ip != @port_ip4 drop
            iifname . ip saddr != @port_ip4 drop
            ip6 saddr != :: iifname . ip6 saddr != @port_ip6 drop
            icmpv6 type { nd-router-advert, nd-redirect } drop
            icmpv6 type nd-neighbor-advert iifname . @th,64,128 != @port_nd drop
            accept
          }
        }
        """);
    out.append(update(List.of(), bindings));
    return out.toString();
  }

  /**
   * The element updates that take the table from holding {@code before} to holding {@code after}
   * (both keyed by port); empty when they are the same.
   */
  static String update(Collection<PortBinding> before, Collection<PortBinding> after) {
    Map<String, Set<String>> old = elements(before);
    Map<String, Set<String>> now = elements(after);
    StringBuilder out = new StringBuilder();
    // Deletions first: a port or address that moves from one binding to another is freed, then claimed.
    for (String set : SETS) {
      Set<String> gone = new TreeSet<>(old.get(set));
      gone.removeAll(now.get(set));
      if (!gone.isEmpty()) {
        out.append("delete element ").append(QUALIFIED).append(' ').append(set).append(" { ")
            .append(String.join(", ", gone)).append(" }\n");
      }
    }
    for (String set : SETS) {
      Set<String> added = new TreeSet<>(now.get(set));
      added.removeAll(old.get(set));
      if (!added.isEmpty()) {
        out.append("add element ").append(QUALIFIED).append(' ').append(set).append(" { ")
            .append(String.join(", ", added)).append(" }\n");
      }
    }
    return out.toString();
  }

  /** The sets, in the order they are written: per-port data before the port's membership in {@code ports}. */
  private static final List<String> SETS = List.of("port_mac", "port_ip4", "port_ip6", "port_nd",
      "claimed_mac", "claimed_ip4", "claimed_ip6", "claimed_nd", "ports");

  private static String setType(String set) {
    return switch (set) {
      case "ports" -> "type ifname";
      case "port_mac" -> "type ifname . ether_addr";
      case "port_ip4" -> "type ifname . ipv4_addr";
      case "port_ip6" -> "type ifname . ipv6_addr";
      case "port_nd" -> "typeof iifname . @th,64,128";
      case "claimed_mac" -> "type ether_addr";
      case "claimed_ip4" -> "type ipv4_addr";
      case "claimed_ip6" -> "type ipv6_addr";
      case "claimed_nd" -> "typeof @th,64,128";
      default -> throw new IllegalArgumentException(set);
    };
  }

  private static Map<String, Set<String>> elements(Collection<PortBinding> bindings) {
    Map<String, Set<String>> sets = new LinkedHashMap<>();
    SETS.forEach(set -> sets.put(set, new LinkedHashSet<>()));
    for (PortBinding binding : bindings) {
      String port = "\"" + binding.port() + "\"";
      sets.get("ports").add(port);
      sets.get("port_mac").add(port + " . " + binding.mac());
      sets.get("claimed_mac").add(binding.mac());
      for (InetAddress address : ownAddresses(binding)) {
        String text = Addresses.format(address);
        if (address instanceof Inet4Address) {
          sets.get("port_ip4").add(port + " . " + text);
          sets.get("claimed_ip4").add(text);
        } else {
          sets.get("port_ip6").add(port + " . " + text);
          sets.get("port_nd").add(port + " . " + raw(address));
          if (!address.isLinkLocalAddress()) {
            // Link-local addresses repeat on every network; only routable ones are claimed host-wide.
            sets.get("claimed_ip6").add(text);
            sets.get("claimed_nd").add(raw(address));
          }
        }
      }
    }
    return sets;
  }

  /** The ports in {@code nft list set bridge berth ports} output ({@code elements = { "veth1", "veth2" }}). */
  static List<String> boundPorts(String listed) {
    int open = listed.indexOf("elements = {");
    if (open < 0) {
      return List.of();
    }
    String inside = listed.substring(open + "elements = {".length(), listed.indexOf('}', open));
    List<String> ports = new ArrayList<>();
    for (String element : inside.split(",")) {
      String name = element.strip().replace("\"", "");
      if (!name.isEmpty()) {
        ports.add(name);
      }
    }
    return ports;
  }

  /** The binding's addresses and the IPv6 link-local address its MAC gives (modified EUI-64). */
  static List<InetAddress> ownAddresses(PortBinding binding) {
    List<InetAddress> all = new ArrayList<>(binding.addresses());
    all.add(linkLocal(binding.mac()));
    return all;
  }

  static InetAddress linkLocal(String mac) {
    byte[] m = HexFormat.ofDelimiter(":").parseHex(mac);
    byte[] a = new byte[16];
    a[0] = (byte) 0xfe;
    a[1] = (byte) 0x80;
    a[8] = (byte) (m[0] ^ 0x02);
    a[9] = m[1];
    a[10] = m[2];
    a[11] = (byte) 0xff;
    a[12] = (byte) 0xfe;
    a[13] = m[3];
    a[14] = m[4];
    a[15] = m[5];
    try {
      return Inet6Address.getByAddress(null, a, null);
    } catch (java.net.UnknownHostException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  /** An IPv6 address as the 128-bit integer nft compares raw payload with. */
  private static String raw(InetAddress address) {
    return "0x" + HexFormat.of().formatHex(address.getAddress());
  }
}
