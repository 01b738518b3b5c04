package dev.berth.iptables;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
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
 *
 * <p>docker-java's transport blocks, so every listing runs on {@code Schedulers.boundedElastic()}.
 */
public final class DockerBridges implements AutoCloseable {

  /** The network option that names a bridge network's interface. */
  public static final String BRIDGE_NAME_OPTION = "com.docker.network.bridge.name";

  private static final Logger log = LoggerFactory.getLogger(DockerBridges.class);

  private final DockerClient docker;

  private DockerBridges(DockerClient docker) {
    this.docker = docker;
  }

  /** Bridges of the engine at {@code dockerHost}, e.g. {@code unix:///var/run/docker.sock}; connects lazily. */
  public static DockerBridges connect(String dockerHost) {
    Objects.requireNonNull(dockerHost, "dockerHost");
    var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(dockerHost).build();
    var http = new ZerodepDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost())
        .sslConfig(config.getSSLConfig())
        .maxConnections(4)
        .connectionTimeout(Duration.ofSeconds(5))
        .build();
    return new DockerBridges(DockerClientImpl.getInstance(config, http));
  }

  /** The bridge interfaces of every bridge network now, sorted. */
  public Mono<Set<String>> current() {
    return Mono.fromCallable(() -> {
      Set<String> names = new TreeSet<>();
      for (Network network : docker.listNetworksCmd().exec()) {
        interfaceOf(network).ifPresent(names::add);
      }
      return Set.copyOf(names);
    }).subscribeOn(Schedulers.boundedElastic());
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
    try {
      docker.close();
    } catch (IOException e) {
      log.debug("closing the Docker client: {}", e.toString());
    }
  }

  /** The interface of a bridge network; empty for other drivers. */
  static Optional<String> interfaceOf(Network network) {
    if (!"bridge".equals(network.getDriver())) {
      return Optional.empty();
    }
    Map<String, String> options = network.getOptions();
    String named = options == null ? null : options.get(BRIDGE_NAME_OPTION);
    if (named != null && !named.isBlank()) {
      return Optional.of(named);
    }
    if ("bridge".equals(network.getName())) {
      return Optional.of("docker0");
    }
    String id = network.getId();
    return id == null || id.length() < 12 ? Optional.empty() : Optional.of("br-" + id.substring(0, 12));
  }

  /** One signal when the stream connects and one per network created or destroyed. */
  private Flux<Event> changes() {
    return DockerEvents.stream(docker,
            cmd -> cmd.withEventTypeFilter(EventType.NETWORK).withEventFilter("create", "destroy"),
            FluxSink.OverflowStrategy.LATEST)
        .subscribeOn(Schedulers.boundedElastic());
  }
}
