package dev.berth.proxy.docker;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A {@link ContainerIndex} that holds what it is given, for embedding Berth where containers are
 * known without Docker (another orchestrator, local mode, benchmarks).
 *
 * <pre>{@code
 * StaticContainerIndex index = new StaticContainerIndex();
 * index.put(new Container(id, "web", "img", labels, env, Set.of(address)));
 * }</pre>
 */
public final class StaticContainerIndex implements ContainerIndex {

  private final Map<InetAddress, Container> byAddress = new ConcurrentHashMap<>();
  private final Sinks.Many<Container> starts = Sinks.many().multicast().directBestEffort();
  private final Sinks.Many<Container> stops = Sinks.many().multicast().directBestEffort();
  private final Predicate<InetAddress> fallbackMatches;
  private final Container fallback;

  /** An index of exactly the containers {@link #put} into it. */
  public StaticContainerIndex() {
    this(address -> false, null);
  }

  /** An index that also answers {@code fallback} for every unlisted address {@code matches} accepts. */
  public StaticContainerIndex(Predicate<InetAddress> matches, Container fallback) {
    this.fallbackMatches = matches;
    this.fallback = fallback;
  }

  /** Adds (or replaces) a running container under each of its addresses, and announces its start. */
  public void put(Container container) {
    container.addresses().forEach(address -> byAddress.put(address, container));
    starts.tryEmitNext(container);
  }

  /** Removes a container and announces its stop. */
  public void remove(Container container) {
    container.addresses().forEach(address -> byAddress.remove(address, container));
    stops.tryEmitNext(container);
  }

  @Override
  public Mono<Container> byAddress(InetAddress address) {
    Container known = byAddress.get(address);
    if (known == null && fallbackMatches.test(address)) {
      known = fallback;
    }
    return Mono.justOrEmpty(known);
  }

  @Override
  public Flux<Container> starts() {
    return starts.asFlux();
  }

  @Override
  public Flux<Container> stops() {
    return stops.asFlux();
  }

  @Override
  public Mono<Void> ready() {
    return Mono.empty();
  }

  @Override
  public int size() {
    return byAddress.size() + (fallback == null ? 0 : 1);
  }

  @Override
  public void close() {}
}
