package dev.berth.proxy;

import dev.berth.iptables.BridgeGuard;
import dev.berth.iptables.ContainerPorts;
import dev.berth.iptables.DockerBridges;
import dev.berth.iptables.Iptables;
import dev.berth.iptables.IptablesException;
import dev.berth.iptables.IptablesSpec;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.netty.resources.LoopResources;
import reactor.core.publisher.Mono;

/*
 * Design notes. The rules go in only after the listener is up, so a container is never steered to
 * a closed port by Berth's own start. They come out only on a clean stop (close(), from the
 * shutdown hook on SIGTERM/SIGINT): if the daemon dies, the rules stay and containers get
 * "connection refused" — never the host's credentials from the real metadata service.
 *
 * The bridge guard goes in before the steering rules and comes out after them, so no container is
 * steered to the proxy while addresses on its bridge can be forged unnoticed; until a container's
 * port is bound, the proxy does not answer it as itself (BoundContainers).
 */

/** {@code --iptables}: installs the rules that steer containers' metadata traffic to the proxy, and keeps them current. */
final class PacketRules implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PacketRules.class);
  private static final Duration FIRST_INSTALL = Duration.ofSeconds(60);

  private final Iptables iptables;
  private final DockerBridges bridges;
  private final Disposable follow;
  private final BridgeGuard guard;
  private final Disposable binding;

  private PacketRules(Iptables iptables, DockerBridges bridges, Disposable follow, BridgeGuard guard, Disposable binding) {
    this.iptables = iptables;
    this.bridges = bridges;
    this.follow = follow;
    this.guard = guard;
    this.binding = binding;
  }

  /**
   * Installs the rules for the proxy listening at {@code listening}: on {@code interfaces}, or when
   * none are given on every Docker bridge, following networks as they come and go; with {@code
   * guarded} (null for none) the bridge guard first, binding each container's port as {@code
   * guarded}'s index learns of it; each source address limited by the kernel to {@code
   * perSourceConnections} connections and {@code perSourcePackets} packets per second (0: none). A conflict, a missing binary or a missing privilege fails here,
   * before the daemon reports itself started.
   */
  static PacketRules install(InetSocketAddress listening, int perSourceConnections, int perSourcePackets,
      String dockerHost, LoopResources loops, List<String> interfaces, BoundContainers guarded) {
    BridgeGuard guard = guarded == null ? null : BridgeGuard.system();
    if (guard != null) {
      guard.install().block(FIRST_INSTALL);
    }
    Iptables iptables = Iptables.system();
    IptablesSpec base = IptablesSpec.forListener(listening).withPerSourceLimits(perSourceConnections, perSourcePackets);
    DockerBridges bridges = interfaces.isEmpty() ? DockerBridges.connect(dockerHost, loops) : null;
    try {
      Flux<Set<String>> sets = bridges == null ? Flux.just(Set.copyOf(interfaces)) : bridges.watch();
      Set<String> first = bridges == null ? Set.copyOf(interfaces) : bridges.current().block(FIRST_INSTALL);
      iptables.install(base.withInterfaces(first)).block(FIRST_INSTALL);
      log.info("iptables: metadata traffic on {} goes to the proxy on port {}", first, listening.getPort());
      Disposable follow = sets.skip(bridges == null ? 1 : 0)
          .concatMap(names -> iptables.install(base.withInterfaces(names))
              .doOnSuccess(done -> log.info("iptables: rules now cover {}", names))
              .onErrorResume(IptablesException.class, e -> {
                log.error("iptables: {}", e.getMessage());
                return Mono.empty();
              }))
          .subscribe();
      Disposable binding = guard == null ? Disposables.disposed()
          : PortBindings.follow(guard, ContainerPorts.system()::find, guarded);
      return new PacketRules(iptables, bridges, follow, guard, binding);
    } catch (RuntimeException e) {
      if (bridges != null) {
        bridges.close();
      }
      if (guard != null) {
        guard.remove().onErrorResume(removal -> Mono.empty()).block(FIRST_INSTALL);
      }
      throw e;
    }
  }

  /** Stops following bridges and containers, and removes every Berth rule: the steering first, then the guard. */
  @Override
  public void close() {
    follow.dispose();
    binding.dispose();
    try {
      iptables.remove().block(Duration.ofSeconds(30));
      log.info("iptables: Berth's rules removed");
      if (guard != null) {
        guard.remove().block(Duration.ofSeconds(30));
      }
    } finally {
      if (bridges != null) {
        bridges.close();
      }
    }
  }
}
