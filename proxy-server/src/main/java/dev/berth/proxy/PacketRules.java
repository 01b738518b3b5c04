package dev.berth.proxy;

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
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/*
 * Design notes. The rules go in only after the listener is up, so a container is never steered to
 * a closed port by Berth's own start. They come out only on a clean stop (close(), from the
 * shutdown hook on SIGTERM/SIGINT): if the daemon dies, the rules stay and containers get
 * "connection refused" — never the host's credentials from the real metadata service.
 */

/** {@code --iptables}: installs the rules that steer containers' metadata traffic to the proxy, and keeps them current. */
final class PacketRules implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PacketRules.class);
  private static final Duration FIRST_INSTALL = Duration.ofSeconds(60);

  private final Iptables iptables;
  private final DockerBridges bridges;
  private final Disposable follow;

  private PacketRules(Iptables iptables, DockerBridges bridges, Disposable follow) {
    this.iptables = iptables;
    this.bridges = bridges;
    this.follow = follow;
  }

  /**
   * Installs the rules for the proxy listening at {@code listening}: on {@code interfaces}, or when
   * none are given on every Docker bridge, following networks as they come and go. A conflict, a
   * missing binary or a missing privilege fails here, before the daemon reports itself started.
   */
  static PacketRules install(InetSocketAddress listening, String dockerHost, List<String> interfaces) {
    Iptables iptables = Iptables.system();
    IptablesSpec base = IptablesSpec.forListener(listening);
    DockerBridges bridges = interfaces.isEmpty() ? DockerBridges.connect(dockerHost) : null;
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
      return new PacketRules(iptables, bridges, follow);
    } catch (RuntimeException e) {
      if (bridges != null) {
        bridges.close();
      }
      throw e;
    }
  }

  /** Stops following bridges and removes every Berth rule. */
  @Override
  public void close() {
    follow.dispose();
    try {
      iptables.remove().block(Duration.ofSeconds(30));
      log.info("iptables: Berth's rules removed");
    } finally {
      if (bridges != null) {
        bridges.close();
      }
    }
  }
}
