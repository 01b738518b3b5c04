package dev.berth.iptables;

import dev.berth.iptables.Iptables.Backend;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/** Pure readings of what the host reports: its iptables backend, its interfaces, whether it has IPv6. */
final class HostFacts {

  /** One line per interface after two header lines, {@code "  name: counters..."}; per network namespace. */
  static final Path INTERFACES = Path.of("/proc/net/dev");

  /** Present exactly when the kernel has IPv6 (even with no address configured yet). */
  static final Path IPV6 = Path.of("/proc/net/if_inet6");

  private HostFacts() {}

  /**
   * The backend named by {@code iptables --version}: {@code iptables v1.8.9 (nf_tables)}, {@code
   * iptables v1.8.7 (legacy)}, or {@code iptables v1.6.1} (before 1.8 there was only legacy).
   */
  static Backend backend(String version) {
    String text = version.strip();
    if (text.contains("(nf_tables)")) {
      return Backend.NFT;
    }
    if (text.contains("(legacy)") || text.matches("(?s)ip6?tables v1\\.[0-7](\\.\\d+)*\\s*")) {
      return Backend.LEGACY;
    }
    throw new IptablesException(IptablesException.Reason.FAILED, "cannot tell the iptables backend from '"
        + Failures.oneLine(text) + "': choose it with --backend nft or --backend legacy");
  }

  /** The binary for {@code tool} ({@code save} or {@code restore}) of {@code family} with {@code backend}. */
  static String binary(Family family, Backend backend, String tool) {
    return switch (backend) {
      // The unsuffixed binaries are the host's choice, which is what AUTO detected.
      case AUTO -> family.command + "-" + tool;
      case NFT -> family.command + "-nft-" + tool;
      case LEGACY -> family.command + "-legacy-" + tool;
    };
  }

  /** The interface names in {@code /proc/net/dev}. */
  static Set<String> interfaces(String procNetDev) {
    Set<String> names = new TreeSet<>();
    for (String line : procNetDev.split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.contains("|")) {
        names.add(line.substring(0, colon).strip());
      }
    }
    return names;
  }
}
