package dev.berth.proxy;

import java.util.List;

/**
 * How a transparent proxy's packet rules are set up ({@code --iptables}).
 *
 * @param interfaces the bridge interfaces to steer; empty: every Docker bridge network, followed as networks come and go
 * @param maxPacketsPerCaller packets per second one source address may send to the proxy (the kernel drops more, and
 *     limits each source to the proxy's per-caller connection limit); 0 for no kernel limits
 * @param bridgeGuard bind every container's bridge port to its own MAC and addresses (nftables), so that no neighbour
 *     can forge its address; a container is answered only once its port is bound
 */
public record PacketRuleSettings(List<String> interfaces, int maxPacketsPerCaller, boolean bridgeGuard) {

  /** Kernel per-source packet limit by default: far above what metadata clients ask, far below a flood. */
  public static final int DEFAULT_MAX_PACKETS_PER_CALLER = 4000;

  public PacketRuleSettings {
    interfaces = List.copyOf(interfaces);
    if (maxPacketsPerCaller < 0) {
      throw new IllegalArgumentException("--max-packets-per-caller " + maxPacketsPerCaller + " is negative: give 0 "
          + "(no kernel limits) or a rate such as 4000");
    }
  }

  /** Every Docker bridge, default kernel limits, the bridge guard on. */
  public static PacketRuleSettings defaults() {
    return new PacketRuleSettings(List.of(), DEFAULT_MAX_PACKETS_PER_CALLER, true);
  }
}
