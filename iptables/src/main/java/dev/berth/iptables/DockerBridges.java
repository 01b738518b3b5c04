package dev.berth.iptables;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;
import reactor.util.retry.Retry;

/**
 * The bridge interfaces of a Docker engine's networks: each bridge network's {@value
 * #BRIDGE_NAME_OPTION} ({@code docker0} for the default network, {@code br-} and the first 12
 * characters of the id for a user-defined one), kept current by the engine's events stream.
 *
 * <pre>{@code
 * try (DockerBridges bridges = DockerBridges.connect("unix:///var/run/docker.sock")) {
 *   Disposable rules = bridges.watch()
 *       .concatMap(names -> iptables.install(spec.withInterfaces(names)))
 *       .subscribe();
 * }
 * }</pre>
 */
public final class DockerBridges implements AutoCloseable {

  /** The network option that names a bridge network's interface. */
  public static final String BRIDGE_NAME_OPTION = "com.docker.network.bridge.name";

  private static final Logger log = LoggerFactory.getLogger(DockerBridges.class);

  private final DockerEngine engine;

  private DockerBridges(DockerEngine engine) {
    this.engine = engine;
  }

  /** Bridges of the engine at {@code dockerHost}, e.g. {@code unix:///var/run/docker.sock}; connects lazily. */
  public static DockerBridges connect(String dockerHost) {
    return connect(dockerHost, null);
  }

  /** As {@link #connect(String)}, on {@code loops} (null: Reactor Netty's shared loop). */
  public static DockerBridges connect(String dockerHost, LoopResources loops) {
    return new DockerBridges(DockerEngine.connect(dockerHost, loops));
  }

  /** The bridge interfaces of every bridge network now, sorted. */
  public Mono<Set<String>> current() {
    return engine.get("/networks", Map.of())
        .switchIfEmpty(Mono.error(() -> new DockerEngine.EngineException("GET /networks: 404")))
        .map(networks -> {
          Set<String> names = new TreeSet<>();
          networks.forEach(network -> interfaceOf(network).ifPresent(names::add));
          return Set.copyOf(names);
        });
  }

  /**
   * The current bridge interfaces as soon as the events stream is connected, then again whenever a
   * network is created or destroyed and the set changed. It reconnects (with backoff up to 30 s) and
   * lists again after the engine goes away, and never completes; dispose the subscription to stop.
   */
  public Flux<Set<String>> watch() {
    return changes()
        .onBackpressureLatest()
        .concatMap(change -> current(), 1)
        .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
            .maxBackoff(Duration.ofSeconds(30))
            .doBeforeRetry(signal -> log.warn("Docker events stream lost ({}); reconnecting", signal.failure().toString())))
        .distinctUntilChanged();
  }

  @Override
  public void close() {
    engine.close();
  }

  /** The interface of a bridge network (an element of the engine's {@code GET /networks}); empty for other drivers. */
  static Optional<String> interfaceOf(JsonNode network) {
    if (!"bridge".equals(network.path("Driver").asText())) {
      return Optional.empty();
    }
    String named = network.path("Options").path(BRIDGE_NAME_OPTION).asText("");
    if (!named.isBlank()) {
      return Optional.of(named);
    }
    if ("bridge".equals(network.path("Name").asText())) {
      return Optional.of("docker0");
    }
    String id = network.path("Id").asText("");
    return id.length() < 12 ? Optional.empty() : Optional.of("br-" + id.substring(0, 12));
  }

  /** One signal when the stream connects and one per network created or destroyed. */
  private Flux<EngineEvent> changes() {
    return engine.events(Map.of("type", List.of("network"), "event", List.of("create", "destroy")));
  }
}
