package dev.berth.iptables.cli;

import dev.berth.iptables.IptablesSpec;
import dev.berth.iptables.IptablesSpec.Ipv6;
import dev.berth.iptables.IptablesSpec.Steering;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** What the rules should do; turned into an {@link IptablesSpec}, which validates it. */
final class SpecOptions {

  @Option(names = {"-i", "--interface"}, paramLabel = "NAME", split = ",",
      defaultValue = "${env:BERTH_IPTABLES_INTERFACES}",
      description = "A bridge interface whose containers are steered to the proxy; repeat it, or separate names "
          + "with commas [BERTH_IPTABLES_INTERFACES] (default: every bridge network of the Docker engine).")
  List<String> interfaces;

  @Option(names = "--docker-host", paramLabel = "URL", defaultValue = "${env:DOCKER_HOST:-unix:///var/run/docker.sock}",
      description = "The Docker engine whose bridge networks are used when no --interface is given [DOCKER_HOST] "
          + "(default: ${DEFAULT-VALUE}).")
  String dockerHost;

  @Option(names = "--mode", paramLabel = "dnat|redirect", defaultValue = "${env:BERTH_IPTABLES_MODE:-dnat}",
      description = "dnat: to --proxy-address; redirect: to the address of the bridge a packet arrives on, for a "
          + "proxy listening on 0.0.0.0 [BERTH_IPTABLES_MODE] (default: ${DEFAULT-VALUE}).")
  Steering mode;

  @Option(names = "--proxy-address", paramLabel = "IPV4", defaultValue = "${env:BERTH_PROXY_ADDRESS}",
      description = "The IPv4 address the proxy listens on, e.g. the docker0 gateway 172.17.0.1 (dnat) "
          + "[BERTH_PROXY_ADDRESS].")
  String proxyAddress;

  @Option(names = "--proxy-address6", paramLabel = "IPV6", defaultValue = "${env:BERTH_PROXY_ADDRESS6}",
      description = "The IPv6 address the proxy listens on; with dnat and without it, fd00:ec2::254 is not "
          + "steered (the guard still applies) [BERTH_PROXY_ADDRESS6].")
  String proxyAddress6;

  @Option(names = "--proxy-port", paramLabel = "PORT", defaultValue = "${env:BERTH_PROXY_PORT:-18000}",
      description = "The proxy's port [BERTH_PROXY_PORT] (default: ${DEFAULT-VALUE}).")
  int proxyPort;

  @Option(names = "--allow-loopback", defaultValue = "${env:BERTH_IPTABLES_ALLOW_LOOPBACK:-false}",
      description = "Let the host itself reach the proxy's port over lo; otherwise only the bridges may "
          + "[BERTH_IPTABLES_ALLOW_LOOPBACK].")
  boolean allowLoopback;

  @Option(names = "--ipv6", paramLabel = "auto|on|off", defaultValue = "${env:BERTH_IPTABLES_IPV6:-auto}",
      description = "Write the ip6tables rules too; auto: where the kernel has IPv6 [BERTH_IPTABLES_IPV6] "
          + "(default: ${DEFAULT-VALUE}).")
  Ipv6 ipv6;

  /** The spec; bridge interfaces come from Docker through {@code bridges} when none were given. */
  IptablesSpec toSpec(Function<String, Set<String>> bridges) {
    IptablesSpec spec;
    if (mode == Steering.REDIRECT) {
      if (given(proxyAddress) || given(proxyAddress6)) {
        throw new IllegalArgumentException("--mode redirect takes no proxy address: it sends packets to the "
            + "address of the bridge they arrive on; drop --proxy-address, or use --mode dnat");
      }
      spec = IptablesSpec.redirect(proxyPort);
    } else {
      if (!given(proxyAddress)) {
        throw new IllegalArgumentException("--mode dnat needs --proxy-address, the IPv4 address the proxy listens on "
            + "(e.g. 172.17.0.1); use --mode redirect when it listens on 0.0.0.0");
      }
      spec = IptablesSpec.dnat(proxyAddress, proxyPort);
      if (given(proxyAddress6)) {
        spec = spec.withProxyAddress6(proxyAddress6);
      }
    }
    spec = spec.withLoopbackAllowed(allowLoopback).withIpv6(ipv6);
    // Validate everything the user typed before asking Docker anything.
    if (interfaces != null && !interfaces.isEmpty()) {
      return spec.withInterfaces(interfaces);
    }
    return spec.withInterfaces(bridges.apply(dockerHost));
  }

  private static boolean given(String value) {
    return value != null && !value.isBlank();
  }
}
