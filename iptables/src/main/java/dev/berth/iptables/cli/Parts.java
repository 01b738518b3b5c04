package dev.berth.iptables.cli;

import dev.berth.iptables.BridgeGuard;
import dev.berth.iptables.DockerBridges;
import dev.berth.iptables.Iptables;
import java.time.Duration;
import java.util.Set;
import java.util.function.Function;

/**
 * What the commands act on: the host's iptables (built from the host options) and a Docker
 * engine's bridges. Tests pass fakes, so that no unit test ever runs an iptables binary.
 *
 * @param iptables builds the {@link Iptables} for the given builder settings
 * @param bridges lists the bridge interfaces of the engine at a Docker host URL
 * @param guard builds the {@link BridgeGuard} for the given builder settings
 */
record Parts(Function<Iptables.Builder, Iptables> iptables, Function<String, Set<String>> bridges,
    Function<BridgeGuard.Builder, BridgeGuard> guard) {

  static Parts real() {
    return new Parts(Iptables.Builder::build, Parts::dockerBridges, BridgeGuard.Builder::build);
  }

  private static Set<String> dockerBridges(String dockerHost) {
    try (DockerBridges bridges = DockerBridges.connect(dockerHost)) {
      return bridges.current().block(Duration.ofSeconds(20));
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalArgumentException("no --interface given, and the Docker engine at " + dockerHost
          + " did not list its networks (" + cause.getMessage() + "): give --interface NAME or --docker-host URL");
    }
  }
}
