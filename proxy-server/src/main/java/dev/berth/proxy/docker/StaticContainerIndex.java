package dev.berth.proxy.docker;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/*
 * Design notes. Reads are lock-free map lookups. Writes, and the moment a starts() subscriber takes
 * its snapshot and joins the live feed, hold one lock: a subscriber sees each container exactly
 * once, and the sinks are never emitted to from two threads at once (which they would refuse).
 * Announcements are delivered under that lock, on the writing thread.
 */

/**
 * A {@link ContainerIndex} that holds what it is given, for embedding Berth where containers are
 * known without Docker (another orchestrator, local mode, benchmarks).
 *
 * <pre>{@code
 * StaticContainerIndex index = new StaticContainerIndex();
 * index.put(new Container(id, "web", "img", labels, env, Set.of(address)));
 * }</pre>
 *
 * <p>{@link #starts()} delivers on the thread that calls {@link #put} (or subscribes), while the
 * index is locked: its consumers must neither block nor write to the index.
 */
public final class StaticContainerIndex implements ContainerIndex {

  private final Object lock = new Object();
  private final Map<String, Container> byId = new ConcurrentHashMap<>();
  private final Map<InetAddress, Container> byAddress = new ConcurrentHashMap<>();
  private final Sinks.Many<Container> starts = Sinks.many().multicast().directBestEffort();
  private final Sinks.Many<Container> stops = Sinks.many().multicast().directBestEffort();
  private final Predicate<InetAddress> fallbackMatches;
  private final Container fallback;

  /** An index of exactly the containers {@link #put} into it. */
  public StaticContainerIndex() {
    this(address -> false, null);
  }

  /**
   * An index that also answers {@code fallback} for every unlisted address {@code matches}
   * accepts. The fallback counts as held: {@link #starts()} announces it to every subscriber.
   */
  public StaticContainerIndex(Predicate<InetAddress> matches, Container fallback) {
    this.fallbackMatches = matches;
    this.fallback = fallback;
  }

  /**
   * Adds a running container under each of its addresses, or replaces the one with its id. Only
   * a container whose id the index did not hold is announced on {@link #starts()}.
   */
  public void put(Container container) {
    synchronized (lock) {
      Container previous = byId.put(container.id(), container);
      if (previous != null) {
        previous.addresses().forEach(address -> byAddress.remove(address, previous));
      }
      container.addresses().forEach(address -> byAddress.put(address, container));
      if (previous == null) {
        starts.tryEmitNext(container);
      }
    }
  }

  /** Removes the container with {@code container}'s id and, if the index held it, announces its stop. */
  public void remove(Container container) {
    synchronized (lock) {
      Container gone = byId.remove(container.id());
      if (gone != null) {
        gone.addresses().forEach(address -> byAddress.remove(address, gone));
        stops.tryEmitNext(gone);
      }
    }
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
    return Flux.create(sink -> {
      synchronized (lock) {
        if (fallback != null) {
          sink.next(fallback);
        }
        byId.values().forEach(sink::next);
        sink.onDispose(starts.asFlux().subscribe(sink::next));
      }
    });
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
    return byId.size() + (fallback == null ? 0 : 1);
  }

  @Override
  public void close() {}
}
