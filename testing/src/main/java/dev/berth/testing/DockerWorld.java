package dev.berth.testing;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The state of the emulated Docker engine — containers, networks, events subscribers — and the
 * lifecycle changes a test makes, each announced on the events stream as the engine announces it.
 *
 * <p>Design notes: changes come from test threads and are serialised by one lock, so the events
 * reach every subscriber in the order the changes happened, and a change is visible to the HTTP
 * side (which reads the concurrent maps without locking, on the event loop) before its events go
 * out: a client that inspects a container on its {@code start} event finds it running. Each
 * subscriber has its own unbounded queue, so a burst of changes (a thousand containers started in a
 * loop) never drops an event for a client that reads more slowly.
 */
final class DockerWorld {

  /** The image every container runs, as the Docker lab imports it. */
  static final String IMAGE = DockerLab.DEFAULT_IMAGE;

  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
  private static final Pattern IPV4 = Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(?!$)|$)){4}");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");
  private static final Set<String> PREDEFINED = Set.of("bridge", "host", "none");
  private static final Map<String, String> DEFAULT_BRIDGE_OPTIONS = Map.of(
      "com.docker.network.bridge.default_bridge", "true",
      "com.docker.network.bridge.enable_icc", "true",
      "com.docker.network.bridge.enable_ip_masquerade", "true",
      "com.docker.network.bridge.host_binding_ipv4", "0.0.0.0",
      "com.docker.network.bridge.name", "docker0",
      "com.docker.network.driver.mtu", "1500");

  private final Clock clock;
  private final Object lock = new Object();
  private final Map<String, DockerContainer> containers = new ConcurrentHashMap<>();
  private final Map<String, DockerNetwork> networks = new ConcurrentHashMap<>();
  private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final DockerNetwork bridge;
  private long serial;
  private int nextPid = 4100;
  private int nextSubnet = 18;
  private volatile boolean closed;

  private record Subscription(Predicate<DockerEvent> filter, Sinks.Many<DockerEvent> sink) {}

  DockerWorld(Clock clock) {
    this.clock = clock;
    Instant now = clock.instant();
    this.bridge = new DockerNetwork(Ids.randomHex(64), "bridge", "bridge", "172.17.0.0/16", "172.17.0.1",
        DEFAULT_BRIDGE_OPTIONS, now);
    for (DockerNetwork network : List.of(bridge,
        new DockerNetwork(Ids.randomHex(64), "host", "host", "", "", Map.of(), now),
        new DockerNetwork(Ids.randomHex(64), "none", "null", "", "", Map.of(), now))) {
      networks.put(network.id(), network);
    }
  }

  /** The default bridge network, where every container runs. */
  DockerNetwork bridge() {
    return bridge;
  }

  String run(String name, String address, Map<String, String> labels, Map<String, String> env) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid container name '" + name + "': only [a-zA-Z0-9][a-zA-Z0-9_.-]+ are allowed");
    }
    boolean v6 = isIpv6(address);
    if (!v6 && !IPV4.matcher(address).matches()) {
      throw new IllegalArgumentException("'" + address + "' is not an IPv4 or IPv6 address literal");
    }
    List<String> environment = new ArrayList<>();
    env.forEach((key, value) -> environment.add(key + "=" + value));
    synchronized (lock) {
      checkOpen();
      for (DockerContainer other : containers.values()) {
        if (other.name().equals(name)) {
          throw new IllegalArgumentException("the container name \"/" + name + "\" is already in use by container \""
              + other.id() + "\": remove that container to reuse the name");
        }
        if (other.running() && (address.equals(other.ipAddress()) || address.equals(other.ipv6Address()))) {
          throw new IllegalArgumentException("address " + address + " is already used by the running container /" + other.name());
        }
      }
      Instant now = clock.instant();
      DockerContainer container = new DockerContainer(++serial, Ids.randomHex(64), name, IMAGE,
          v6 ? "" : address, v6 ? address : "", Map.copyOf(labels), List.copyOf(environment), now, now, null, 0, nextPid++);
      containers.put(container.id(), container);
      emit(containerEvent(container, "create", Map.of(), now));
      emit(networkEvent(bridge, "connect", container.id(), now));
      emit(containerEvent(container, "start", Map.of(), now));
      return container.id();
    }
  }

  /** Stops a running container as {@code docker stop} does; a stopped one is left alone (the engine's 304). */
  void stop(String idOrName) {
    synchronized (lock) {
      checkOpen();
      DockerContainer container = container(idOrName)
          .orElseThrow(() -> new IllegalArgumentException("No such container: " + idOrName));
      if (!container.running()) {
        return;
      }
      Instant now = clock.instant();
      // As a process that exits on SIGTERM: 128 + 15.
      DockerContainer stopped = container.stopped(now, 143);
      containers.put(stopped.id(), stopped);
      emit(containerEvent(stopped, "kill", Map.of("signal", "15"), now));
      emit(containerEvent(stopped, "die", Map.of("exitCode", "143"), now));
      emit(networkEvent(bridge, "disconnect", stopped.id(), now));
      emit(containerEvent(stopped, "stop", Map.of(), now));
    }
  }

  void remove(String idOrName) {
    synchronized (lock) {
      checkOpen();
      DockerContainer container = container(idOrName)
          .orElseThrow(() -> new IllegalArgumentException("No such container: " + idOrName));
      if (container.running()) {
        throw new IllegalStateException("container /" + container.name() + " is running: stop it before removing it");
      }
      containers.remove(container.id());
      emit(containerEvent(container, "destroy", Map.of(), clock.instant()));
    }
  }

  String createNetwork(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid network name '" + name + "': only [a-zA-Z0-9][a-zA-Z0-9_.-]+ are allowed");
    }
    synchronized (lock) {
      checkOpen();
      if (network(name).filter(n -> n.name().equals(name)).isPresent()) {
        throw new IllegalArgumentException("network with name " + name + " already exists");
      }
      if (nextSubnet > 31) {
        throw new IllegalStateException("the emulator hands out 172.18.0.0/16 to 172.31.0.0/16 only; remove a network first");
      }
      int octet = nextSubnet++;
      Instant now = clock.instant();
      DockerNetwork network = new DockerNetwork(Ids.randomHex(64), name, "bridge", "172." + octet + ".0.0/16",
          "172." + octet + ".0.1", Map.of(), now);
      networks.put(network.id(), network);
      emit(networkEvent(network, "create", null, now));
      return network.id();
    }
  }

  void removeNetwork(String idOrName) {
    synchronized (lock) {
      checkOpen();
      DockerNetwork network = network(idOrName)
          .orElseThrow(() -> new IllegalArgumentException("network " + idOrName + " not found"));
      if (PREDEFINED.contains(network.name())) {
        throw new IllegalArgumentException(network.name() + " is a pre-defined network and cannot be removed");
      }
      networks.remove(network.id());
      emit(networkEvent(network, "destroy", null, clock.instant()));
    }
  }

  /** Every container, newest first. */
  List<DockerContainer> containers() {
    List<DockerContainer> all = new ArrayList<>(containers.values());
    all.sort(Comparator.comparingLong(DockerContainer::serial).reversed());
    return all;
  }

  /** By full id, by name (with or without the leading {@code /}), or by an id prefix that only one container has. */
  Optional<DockerContainer> container(String idOrName) {
    String name = idOrName.startsWith("/") ? idOrName.substring(1) : idOrName;
    DockerContainer exact = containers.get(idOrName);
    if (exact != null) {
      return Optional.of(exact);
    }
    return containers.values().stream().filter(c -> c.name().equals(name)).findFirst()
        .or(() -> unique(containers.values().stream().filter(c -> c.id().startsWith(idOrName)).toList()));
  }

  /** Every network, by name. */
  List<DockerNetwork> networks() {
    List<DockerNetwork> all = new ArrayList<>(networks.values());
    all.sort(Comparator.comparing(DockerNetwork::name));
    return all;
  }

  Optional<DockerNetwork> network(String idOrName) {
    DockerNetwork exact = networks.get(idOrName);
    if (exact != null) {
      return Optional.of(exact);
    }
    return networks.values().stream().filter(n -> n.name().equals(idOrName)).findFirst()
        .or(() -> unique(networks.values().stream().filter(n -> n.id().startsWith(idOrName)).toList()));
  }

  /**
   * The events that happen from the moment of subscription on and that {@code filter} accepts;
   * completes when the engine closes.
   */
  Flux<DockerEvent> events(Predicate<DockerEvent> filter) {
    return Flux.defer(() -> {
      Subscription subscription = new Subscription(filter, Sinks.many().unicast().onBackpressureBuffer());
      subscriptions.add(subscription);
      if (closed) {
        subscription.sink().tryEmitComplete();
      }
      return subscription.sink().asFlux().doFinally(signal -> subscriptions.remove(subscription));
    });
  }

  int subscribers() {
    return subscriptions.size();
  }

  /** Ends every events stream; later changes are refused. */
  void close() {
    synchronized (lock) {
      closed = true;
      subscriptions.forEach(subscription -> subscription.sink().tryEmitComplete());
    }
  }

  private void emit(DockerEvent event) {
    for (Subscription subscription : subscriptions) {
      if (subscription.filter().test(event)) {
        subscription.sink().tryEmitNext(event);
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the Docker engine emulator is closed");
    }
  }

  private static DockerEvent containerEvent(DockerContainer container, String action, Map<String, String> extra,
      Instant time) {
    Map<String, String> attributes = new HashMap<>(container.labels());
    attributes.put("image", container.image());
    attributes.put("name", container.name());
    attributes.putAll(extra);
    return new DockerEvent("container", action, container.id(), container.image(), attributes, time);
  }

  private static DockerEvent networkEvent(DockerNetwork network, String action, String containerId, Instant time) {
    Map<String, String> attributes = new LinkedHashMap<>();
    if (containerId != null) {
      attributes.put("container", containerId);
    }
    attributes.put("name", network.name());
    attributes.put("type", network.driver());
    return new DockerEvent("network", action, network.id(), null, attributes, time);
  }

  // Only a string of address characters reaches InetAddress, which then parses it without any name lookup.
  private static boolean isIpv6(String address) {
    if (!IPV6_CHARS.matcher(address).matches()) {
      return false;
    }
    try {
      return InetAddress.getByName(address) instanceof Inet6Address;
    } catch (UnknownHostException notAnAddress) {
      return false;
    }
  }

  private static <T> Optional<T> unique(List<T> matches) {
    return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
  }
}
