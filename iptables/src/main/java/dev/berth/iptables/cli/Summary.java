package dev.berth.iptables.cli;

import dev.berth.iptables.IptablesSpec;
import dev.berth.iptables.IptablesSpec.Steering;
import java.net.InetAddress;

/** One line that says what a spec does, for people. */
final class Summary {

  private Summary() {}

  static String of(IptablesSpec spec) {
    String target = spec.steering() == Steering.REDIRECT
        ? "REDIRECT to port " + spec.proxyPort()
        : "DNAT to " + host(spec.proxyAddress()) + ":" + spec.proxyPort()
            + (spec.proxyAddress6() == null ? "" : " and [" + host(spec.proxyAddress6()) + "]:" + spec.proxyPort());
    String bridges = spec.interfaces().isEmpty() ? "no bridge" : String.join(", ", spec.interfaces());
    return "169.254.169.254:80 " + target + " from " + bridges + "; port " + spec.proxyPort() + " dropped elsewhere"
        + (spec.loopbackAllowed() ? " except lo" : "") + " (IPv6 " + spec.ipv6().name().toLowerCase(java.util.Locale.ROOT)
        + ")";
  }

  private static String host(InetAddress address) {
    return address.getHostAddress();
  }
}
