package dev.berth.proxy.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.iptables.DockerEngine;
import dev.berth.iptables.EngineEvent;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.resources.LoopResources;
import reactor.util.retry.Retry;

/*
 * Design notes. Reads are lock-free map lookups. Every write — a full resync, an event, a resync
 * caused by a miss — runs on one dedicated thread, in the order the engine reported it, so a stale
 * inspect can never undo a later "die": the thread waits for each listing and inspect, which the
 * engine client makes on the loop. The events stream is
 * opened first and a full resync is queued as soon as it is connected, so nothing falls between
 * the listing and the stream; after a disconnect it reconnects with backoff and resyncs again.
 *
 * Every write goes through join (announced on starts when the id is new to the index, whichever
 * path found it) and remove (announced on stops when the index held it). The sinks are therefore
 * only ever emitted to from that thread, and a starts() subscriber takes its snapshot and joins the
 * live feed in one task on it, between two writes: nothing falls between them, nothing is doubled.
 *
 * Without the events stream the index cannot know what changed, and an engine that restarts starts
 * its containers again (restart policies) on addresses it hands out afresh, before its API answers
 * and before the stream can be reopened: a held entry may then name the container that held an
 * address before the restart, and answering from it would hand a container its neighbour's role
 * (the churn soak's engine restart found it). So from the moment the stream is lost until the
 * listing that follows its reopening is applied, a lookup is answered only from a listing begun
 * after it was asked, and fails (IndexUnavailableException) while the engine does not answer. A
 * container that the engine started again under the same id is a new process with new bridge
 * ports: a listing that finds one leaves and joins it again, as its die and start events would have.
 */

/**
 * A {@link ContainerIndex} fed by a Docker engine: a full listing at start and after every
 * reconnect, kept current by the events stream.
 *
 * <pre>{@code
 * DockerContainerIndex index = DockerContainerIndex.connect("unix:///var/run/docker.sock");
 * index.ready().block();
 * }</pre>
 */
public final class DockerContainerIndex implements ContainerIndex {

  private static final Logger log = LoggerFactory.getLogger(ContainerIndex.class);
  private static final Duration MISS_RESYNC_INTERVAL = Duration.ofMillis(500);
  /** Inspects a resync keeps in flight: the engine answers them in parallel; the engine client holds 8 connections. */
  private static final int INSPECTS_IN_FLIGHT = 6;
  private static final Set<String> STARTS = Set.of("start", "unpause", "restart");
  private static final Set<String> STOPS = Set.of("die", "destroy", "pause", "stop");
  private static final Set<String> NETWORK_CHANGES = Set.of("connect", "disconnect");

  private final DockerEngine engine;
  private final Clock clock;
  private final Scheduler serial = Schedulers.newBoundedElastic(1, Integer.MAX_VALUE, "berth-docker", 60, true);
  private final Map<InetAddress, Container> byAddress = new ConcurrentHashMap<>();
  private final Map<String, Container> byId = new ConcurrentHashMap<>();
  private final Sinks.Many<Container> starts = Sinks.many().multicast().directBestEffort();
  private final Sinks.Many<Container> stops = Sinks.many().multicast().directBestEffort();
  private final Sinks.Many<Container> changes = Sinks.many().multicast().directBestEffort();
  private final Sinks.One<Void> ready = Sinks.one();
  private final AtomicReference<Mono<Void>> missResync = new AtomicReference<>();
  private volatile Instant lastResync = Instant.EPOCH;
  // True while the events stream is open and the listing after its opening has been applied.
  private volatile boolean synced;
  /** Whether the events stream was ever connected; only read and written on the serial thread. */
  private boolean connectedBefore;
  // System.nanoTime() at which the last listing that succeeded began; written on the serial thread.
  private volatile long listedAt = System.nanoTime() - Duration.ofDays(1).toNanos();
  private final Disposable events;
  private final Timer eventLag;
  private final MeterRegistry meters;

  private DockerContainerIndex(DockerEngine engine, Clock clock, MeterRegistry meters) {
    this.engine = engine;
    this.clock = clock;
    this.meters = meters;
    this.eventLag = Timer.builder("berth.docker.event.lag")
        .description("From the engine's time stamp on a Docker event to the index applying it").register(meters);
    this.events = eventStream()
        .publishOn(serial)
        .doOnNext(this::apply)
        // On the serial thread, after every event that came before the loss.
        .doOnError(lost -> synced = false)
        // At most 2 s apart: while the stream is lost every lookup waits for a fresh listing (and
        // fails while the engine is down), so an engine that is back after a long outage must be
        // found at once, not up to 30 s later; a failed connect to the local socket costs nothing.
        .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
            .maxBackoff(Duration.ofSeconds(2))
            // Back to the shortest delay once the stream delivers again.
            .transientErrors(true)
            .doBeforeRetry(signal -> {
              // Once per loss, not every 2 s of an outage; the resync that follows the reconnection is counted on /metrics.
              if (signal.failure() instanceof Error defect) {
                // Not the engine going away but a defect (CI once saw BlockHound's error here): where.
                log.warn("Docker events stream lost ({}); reconnecting", defect.toString(), defect);
              } else if (signal.totalRetriesInARow() == 0) {
                log.warn("Docker events stream lost ({}); reconnecting", signal.failure().toString());
              } else {
                log.debug("Docker events stream: reconnecting failed ({})", signal.failure().toString());
              }
            }))
        .subscribe();
  }

  /** An index over the engine at {@code dockerHost}, e.g. {@code unix:///var/run/docker.sock}. */
  public static DockerContainerIndex connect(String dockerHost) {
    return connect(dockerHost, null, new SimpleMeterRegistry());
  }

  /**
   * As {@link #connect(String)}, its engine client on {@code loops} (null: Reactor Netty's shared
   * loop), its event lag and resyncs on {@code meters}.
   */
  public static DockerContainerIndex connect(String dockerHost, LoopResources loops, MeterRegistry meters) {
    return new DockerContainerIndex(DockerEngine.connect(dockerHost, loops), Clock.systemUTC(), meters);
  }

  /**
   * {@inheritDoc}
   *
   * <p>While the events stream is lost, answered from a listing begun after the call; fails with
   * {@link IndexUnavailableException} when the engine cannot be listed then.
   */
  @Override
  public Mono<Container> byAddress(InetAddress address) {
    if (!synced) {
      return listedAfterAsking(address);
    }
    Container known = byAddress.get(address);
    if (known != null) {
      return Mono.just(known);
    }
    return resyncAfterMiss().then(Mono.fromSupplier(() -> byAddress.get(address)));
  }

  /**
   * {@inheritDoc}
   *
   * <p>The snapshot is taken on the index's thread, after the write in progress (an inspect, or a
   * whole resync) is done; every container is delivered on that thread.
   */
  @Override
  public Flux<Container> starts() {
    return heldThen(starts);
  }

  /** {@inheritDoc} Delivered like {@link #starts()}. */
  @Override
  public Flux<Container> changes() {
    return heldThen(changes);
  }

  /** Every container held once the write in progress is done, then what {@code live} emits. */
  private Flux<Container> heldThen(Sinks.Many<Container> live) {
    return Flux.create(sink -> {
      Runnable subscribe = () -> {
        if (!sink.isCancelled()) {
          byId.values().forEach(sink::next);
          sink.onDispose(live.asFlux().subscribe(sink::next));
        }
      };
      try {
        serial.schedule(subscribe);
      } catch (RejectedExecutionException closed) {
        sink.complete();
      }
    });
  }

  @Override
  public Flux<Container> stops() {
    return stops.asFlux();
  }

  @Override
  public Mono<Void> ready() {
    return ready.asMono();
  }

  @Override
  public int size() {
    return byId.size();
  }

  @Override
  public void close() {
    events.dispose();
    serial.dispose();
    engine.close();
  }

  private Flux<EngineEvent> eventStream() {
    // Every event is kept: publishOn's queue grows while the index's thread inspects.
    return engine.events(Map.of("type", List.of("container", "network"))).onBackpressureBuffer();
  }

  private void apply(EngineEvent event) {
    // (Re)connected: resync everything before the next event.
    if (event == EngineEvent.CONNECTED) {
      resync(Cause.CONNECTED);
      if (connectedBefore) {
        log.info("Docker events stream reconnected; {} containers listed", byId.size());
      }
      connectedBefore = true;
      synced = true;
      ready.tryEmitEmpty();
      return;
    }
    if (event.timeNano() > 0) {
      eventLag.record(Math.max(0, clock.millis() * 1_000_000 - event.timeNano()), TimeUnit.NANOSECONDS);
    }
    String action = event.action();
    if (event.type().equals("container")) {
      String id = event.actorId();
      if (STARTS.contains(action)) {
        inspect(id).ifPresent(this::join);
      } else if (STOPS.contains(action)) {
        remove(id);
      }
    } else if (event.type().equals("network") && NETWORK_CHANGES.contains(action)) {
      String id = event.attributes().get("container");
      if (id != null) {
        inspect(id).ifPresentOrElse(this::join, () -> remove(id));
      }
    }
  }

  /**
   * The container at {@code address} according to a listing begun after this call: the one a caller
   * queued before it ran, or its own. Lookups that queue during one listing share the next.
   */
  private Mono<Container> listedAfterAsking(InetAddress address) {
    return Mono.defer(() -> {
      long asked = System.nanoTime();
      return Mono.fromCallable(() -> {
        if (listedAt - asked < 0) {
          resync(Cause.EVENTS_LOST);
        }
        return byAddress.get(address);
      }).subscribeOn(serial);
    }).onErrorMap(error -> !(error instanceof IndexUnavailableException), error -> new IndexUnavailableException(
        "the Docker engine's events stream is lost and the engine cannot be listed: " + error, error));
  }

  /** One shared resync for all the misses of a moment, at most once per interval. */
  private Mono<Void> resyncAfterMiss() {
    if (Duration.between(lastResync, clock.instant()).compareTo(MISS_RESYNC_INTERVAL) < 0) {
      return Mono.empty();
    }
    Mono<Void> flight = missResync.get();
    if (flight != null) {
      return flight;
    }
    Mono<Void> created = Mono.<Void>fromRunnable(() -> resync(Cause.UNKNOWN_CALLER))
        .subscribeOn(serial)
        .onErrorResume(error -> {
          log.warn("resync after a miss failed: {}", error.toString());
          return Mono.empty();
        })
        .doFinally(signal -> missResync.set(null))
        .cache();
    Mono<Void> existing = missResync.compareAndExchange(null, created);
    return existing != null ? existing : created;
  }

  /** Why the engine's containers are listed. */
  private enum Cause {
    /** The events stream (re)opened: every container is inspected again. */
    CONNECTED("connected"),
    /** A caller no held container has: the unknown ones are inspected. */
    UNKNOWN_CALLER("unknown_caller"),
    /** A lookup while the events stream is lost: the unknown ones and those listed elsewhere are inspected. */
    EVENTS_LOST("events_lost");

    final String tag;

    Cause(String tag) {
      this.tag = tag;
    }
  }

  /**
   * Lists running containers; inspects the ones not yet indexed, and all of them on {@link
   * Cause#CONNECTED}, and those the listing shows on other addresses on {@link Cause#EVENTS_LOST};
   * drops indexed containers that no longer run.
   */
  private void resync(Cause cause) {
    long began = System.nanoTime();
    lastResync = clock.instant();
    Counter.builder("berth.docker.resyncs").description("Full listings of the engine's containers, by cause")
        .tag("cause", cause.tag).register(meters).increment();
    Set<String> running = new HashSet<>();
    List<String> unknown = new ArrayList<>();
    JsonNode listing = engine.get("/containers/json", Map.of("status", List.of("running"))).block();
    for (JsonNode listed : listing == null ? List.<JsonNode>of() : listing) {
      String id = listed.path("Id").asText();
      running.add(id);
      Container held = byId.get(id);
      if (cause == Cause.CONNECTED || held == null
          || cause == Cause.EVENTS_LOST && !held.addresses().equals(listedAddresses(listed))) {
        unknown.add(id);
      }
    }
    // A few inspects in flight (the engine answers them in parallel), applied in the listing's order.
    List<Optional<Container>> inspected = Flux.fromIterable(unknown)
        .flatMapSequential(id -> inspectLater(id).defaultIfEmpty(Optional.empty()), INSPECTS_IN_FLIGHT)
        .collectList().block();
    inspected.forEach(container -> container.ifPresent(this::join));
    for (String id : Set.copyOf(byId.keySet())) {
      if (!running.contains(id)) {
        remove(id);
      }
    }
    listedAt = began;
    log.debug("resync ({}): {} containers", cause.tag, byId.size());
  }

  private static Set<InetAddress> listedAddresses(JsonNode listed) {
    List<InetAddress> addresses = new ArrayList<>();
    for (JsonNode network : listed.path("NetworkSettings").path("Networks")) {
      addAddress(addresses, network.path("IPAddress").asText(""));
      addAddress(addresses, network.path("GlobalIPv6Address").asText(""));
    }
    return Set.copyOf(addresses);
  }

  /** The container with {@code id} if it runs; empty if it is gone or stopped. */
  private Optional<Container> inspect(String id) {
    return inspectLater(id).blockOptional().flatMap(container -> container);
  }

  private Mono<Optional<Container>> inspectLater(String id) {
    return engine.get("/containers/" + id + "/json", Map.of())
        .map(inspected -> inspected.path("State").path("Running").asBoolean(false)
            ? Optional.of(toContainer(inspected)) : Optional.<Container>empty());
  }

  /**
   * Indexes a running container, or updates the one with its id; announces it only if it is new, or
   * if it is another process than the one held (the engine started it again while the index did not
   * follow): then it leaves and joins again.
   */
  private void join(Container container) {
    Container held = byId.get(container.id());
    if (held != null && held.pid() > 0 && container.pid() > 0 && held.pid() != container.pid()) {
      log.info("{} was started again while the events stream was lost: its bindings are made anew", container);
      remove(container.id());
    }
    Container previous = byId.put(container.id(), container);
    if (previous != null) {
      previous.addresses().forEach(address -> byAddress.remove(address, previous));
    }
    for (InetAddress address : container.addresses()) {
      Container displaced = byAddress.put(address, container);
      if (displaced != null && !displaced.id().equals(container.id())) {
        log.info("address {} moved from {} to {}", address.getHostAddress(), displaced, container);
      }
    }
    if (previous == null) {
      starts.tryEmitNext(container);
    }
    if (previous == null || !previous.endpoints().equals(container.endpoints())) {
      changes.tryEmitNext(container);
    }
  }

  private void remove(String id) {
    Container gone = byId.remove(id);
    if (gone != null) {
      gone.addresses().forEach(address -> byAddress.remove(address, gone));
      stops.tryEmitNext(gone);
    }
  }

  /** A running container from the engine's {@code GET /containers/{id}/json}. */
  static Container toContainer(JsonNode inspected) {
    JsonNode config = inspected.path("Config");
    Map<String, String> labels = new HashMap<>();
    config.path("Labels").properties().forEach(label -> labels.put(label.getKey(), label.getValue().asText()));
    // Only the variables the role policy reads: the rest may be secrets, and are never copied.
    List<String> variables = new ArrayList<>();
    config.path("Env").forEach(variable -> variables.add(variable.asText()));
    Map<String, String> env = Container.keptEnv(variables);
    Set<InetAddress> addresses = new HashSet<>();
    List<Endpoint> endpoints = new ArrayList<>();
    Map<String, JsonNode> networks = new TreeMap<>();
    inspected.path("NetworkSettings").path("Networks").fields()
        .forEachRemaining(attached -> networks.put(attached.getKey(), attached.getValue()));
    for (Map.Entry<String, JsonNode> attached : networks.entrySet()) {
      JsonNode network = attached.getValue();
      List<InetAddress> own = new ArrayList<>();
      addAddress(own, network.path("IPAddress").asText(""));
      addAddress(own, network.path("GlobalIPv6Address").asText(""));
      addresses.addAll(own);
      String mac = network.path("MacAddress").asText("");
      endpoints.add(new Endpoint(attached.getKey(), mac.isEmpty() ? null : mac, own));
    }
    return new Container(inspected.path("Id").asText(), inspected.path("Name").asText(""),
        config.path("Image").asText(""), labels, env, addresses, inspected.path("State").path("Pid").asLong(0), endpoints);
  }

  private static void addAddress(java.util.Collection<InetAddress> addresses, String literal) {
    if (literal == null || literal.isBlank()) {
      return;
    }
    try {
      // A literal address: no name lookup happens.
      addresses.add(InetAddress.getByName(literal));
    } catch (UnknownHostException notALiteral) {
      log.warn("ignoring address '{}' reported by the engine", literal);
    }
  }
}
