package dev.berth.proxy;

import dev.berth.iptables.BridgeGuard;
import dev.berth.iptables.ContainerPorts;
import dev.berth.iptables.IptablesException;
import dev.berth.iptables.PortBinding;
import dev.berth.proxy.docker.Container;
import dev.berth.proxy.docker.Endpoint;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/*
 * Design notes. Containers come and go in bursts (a daemon restart finds them all at once), so the
 * index's joins, network changes and leaves are taken in batches of whatever arrived within a few
 * milliseconds and each batch is one nft transaction. A leaving container stops being answered
 * before its binding goes; a joining one is answered only after its binding is in place. The maps
 * below are only touched by one batch at a time (concatMap), on boundedElastic, where reading a
 * container's sysfs and running nft may block.
 */

/** Keeps the bridge guard's bindings in step with the container index, and tells the proxy which addresses are bound. */
final class PortBindings {

  private static final Logger log = LoggerFactory.getLogger(PortBindings.class);
  private static final int BATCH = 256;
  private static final Duration GATHER = Duration.ofMillis(5);

  private record Change(Container container, boolean running) {}

  private record Plan(List<PortBinding> bind, List<PortBinding> unbind, Map<Container, List<InetAddress>> bound) {}

  /** Finds a container's host-side ports by its process id ({@link ContainerPorts#find(long)}); may block. */
  interface PortFinder {
    Map<String, ContainerPorts.Port> find(long pid);
  }

  private final BridgeGuard guard;
  private final PortFinder ports;
  private final BoundContainers containers;
  private final Map<String, List<PortBinding>> bindingsOf = new HashMap<>();
  private final Map<String, Container> records = new HashMap<>();

  private PortBindings(BridgeGuard guard, PortFinder ports, BoundContainers containers) {
    this.guard = guard;
    this.ports = ports;
    this.containers = containers;
  }

  /** Follows {@code containers} until the returned subscription is disposed. */
  static Disposable follow(BridgeGuard guard, PortFinder ports, BoundContainers containers) {
    PortBindings bindings = new PortBindings(guard, ports, containers);
    // Stops first: a container announced by changes() that leaves later is always seen leaving.
    // bufferTimeout with fair backpressure: the plain one fails ("Could not emit buffer due to lack
    // of requests") when its timer fires while the previous batch is still being applied, which a
    // daemon restart on a host with running containers does at once. Should the feed fail anyway,
    // it starts over: the index replays every container it holds, and replanning them is harmless.
    return Flux.defer(() -> Flux.merge(containers.stops().map(c -> new Change(c, false)),
                containers.changes().map(c -> new Change(c, true))))
        .bufferTimeout(BATCH, GATHER, true)
        .concatMap(bindings::apply)
        .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(10))
            .doBeforeRetry(signal -> log.error("bridge guard: following containers failed ({}); starting over",
                signal.failure().toString())))
        .subscribe();
  }

  private Mono<Void> apply(List<Change> batch) {
    return Mono.fromCallable(() -> plan(batch))
        .subscribeOn(Schedulers.boundedElastic())
        .flatMap(plan -> guard.update(plan.bind(), plan.unbind())
            .then(Mono.<Void>fromRunnable(() -> plan.bound().forEach(containers::bind))))
        .onErrorResume(error -> {
          log.error("bridge guard: {}: the containers of this change get no credentials until it succeeds",
              error instanceof IptablesException ? error.getMessage() : error.toString());
          return Mono.empty();
        });
  }

  private Plan plan(List<Change> batch) {
    List<PortBinding> bind = new ArrayList<>();
    List<PortBinding> unbind = new ArrayList<>();
    Map<Container, List<InetAddress>> bound = new LinkedHashMap<>();
    for (Change change : batch) {
      Container container = change.container();
      Container previous = records.remove(container.id());
      if (previous != null) {
        containers.unbind(previous);
        bound.remove(previous);
      }
      List<PortBinding> old = bindingsOf.remove(container.id());
      if (old != null) {
        unbind.addAll(old);
      }
      if (!change.running()) {
        continue;
      }
      List<PortBinding> mine = bindingsFor(container);
      records.put(container.id(), container);
      bindingsOf.put(container.id(), mine);
      bind.addAll(mine);
      bound.put(container, mine.stream().flatMap(binding -> binding.addresses().stream()).toList());
    }
    return new Plan(bind, unbind, bound);
  }

  /** One binding per network the container is attached to through a bridge port on this host. */
  private List<PortBinding> bindingsFor(Container container) {
    if (container.pid() <= 0 || container.endpoints().isEmpty()) {
      return List.of();
    }
    Map<String, ContainerPorts.Port> found;
    try {
      found = ports.find(container.pid());
    } catch (IptablesException e) {
      log.warn("bridge guard: cannot find the bridge ports of {}: {}", container, e.getMessage());
      return List.of();
    }
    List<PortBinding> bindings = new ArrayList<>();
    for (Endpoint endpoint : container.endpoints()) {
      ContainerPorts.Port port = found.get(endpoint.mac());
      if (port != null && !endpoint.addresses().isEmpty()) {
        bindings.add(PortBinding.of(port.name(), endpoint.mac(), endpoint.addresses()));
      }
    }
    log.debug("bridge guard: {} bound on {}", container, bindings);
    return bindings;
  }
}
