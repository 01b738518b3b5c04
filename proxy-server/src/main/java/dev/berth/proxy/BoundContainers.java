package dev.berth.proxy;

import dev.berth.proxy.docker.Container;
import dev.berth.proxy.docker.ContainerIndex;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/*
 * Design notes. With the bridge guard on, an address is only as good as its binding: until the
 * guard has bound a container's port to its MAC and addresses, a neighbour could still have forged
 * that address, so the container is not answered as itself. A request that arrives in the few
 * milliseconds between a container's start and its binding waits for the binding (up to
 * BINDING_WAIT) rather than failing: SDKs try the metadata service once, with a 1 s timeout.
 */

/** The container index as the proxy sees it with the bridge guard on: only containers whose address is bound. */
final class BoundContainers implements ContainerIndex {

  private static final Logger log = LoggerFactory.getLogger(BoundContainers.class);
  static final Duration BINDING_WAIT = Duration.ofSeconds(2);

  private final ContainerIndex index;
  private final Map<InetAddress, String> boundTo = new ConcurrentHashMap<>();
  private final Map<String, Boolean> warned = new ConcurrentHashMap<>();
  private final Sinks.Many<String> bindings = Sinks.many().multicast().directBestEffort();

  BoundContainers(ContainerIndex index) {
    this.index = index;
  }

  /** The guard has bound {@code addresses} to {@code container}'s ports: it may be answered from them. */
  void bind(Container container, Collection<InetAddress> addresses) {
    addresses.forEach(address -> boundTo.put(address, container.id()));
    bindings.tryEmitNext(container.id());
  }

  /** {@code container} left: none of its addresses is answered as it any more. */
  void unbind(Container container) {
    container.addresses().forEach(address -> boundTo.remove(address, container.id()));
    warned.remove(container.id());
  }

  boolean holds(InetAddress address, Container container) {
    return container.id().equals(boundTo.get(address));
  }

  @Override
  public Mono<Container> byAddress(InetAddress address) {
    return index.byAddress(address).flatMap(container -> holds(address, container) ? Mono.just(container)
        : awaitBinding(address, container));
  }

  private Mono<Container> awaitBinding(InetAddress address, Container container) {
    // Subscribe to new bindings first, then look again: a binding made in between is not missed.
    return Flux.merge(bindings.asFlux().filter(container.id()::equals),
            Mono.fromSupplier(() -> holds(address, container) ? container.id() : null))
        .filter(id -> holds(address, container))
        .next()
        .timeout(BINDING_WAIT, Mono.empty())
        .map(id -> container)
        .switchIfEmpty(Mono.fromRunnable(() -> {
          if (warned.putIfAbsent(container.id(), Boolean.TRUE) == null) {
            log.warn("no credentials for {} at {}: its bridge port is not bound to that address (yet); "
                + "see the bridge guard's log lines", container, address.getHostAddress());
          }
        }));
  }

  @Override
  public Flux<Container> starts() {
    return index.starts();
  }

  @Override
  public Flux<Container> changes() {
    return index.changes();
  }

  @Override
  public Flux<Container> stops() {
    return index.stops();
  }

  @Override
  public Mono<Void> ready() {
    return index.ready();
  }

  @Override
  public int size() {
    return index.size();
  }

  @Override
  public void close() {
    index.close();
  }
}
