package dev.berth.proxy;

import dev.berth.proxy.ContainerDecision.CredentialState;
import dev.berth.proxy.credentials.CredentialException;
import dev.berth.proxy.credentials.CredentialSource;
import dev.berth.proxy.docker.Container;
import dev.berth.proxy.docker.ContainerIndex;
import dev.berth.proxy.policy.Decision;
import dev.berth.proxy.policy.RoleBinding;
import dev.berth.proxy.policy.RolePolicy;
import java.net.InetAddress;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/*
 * Design notes. The view is kept from the index's own streams (every container, then each change
 * and each stop) and from the credential fetches themselves (the source is wrapped), so it costs
 * the request path nothing: a request never touches this class. Emissions come from the index's
 * writer and from the loop; one lock serialises them into the sink.
 */

/** Every container's role decision and credential state, as a snapshot and as a stream of changes. */
final class ContainerDecisions implements AutoCloseable {

  private final RolePolicy policy;
  private final Clock clock;
  private final Map<String, Container> containers = new ConcurrentHashMap<>();
  private final Map<RoleBinding, CredentialState> credentials = new ConcurrentHashMap<>();
  private final Sinks.Many<ContainerDecision> changes = Sinks.many().multicast().directBestEffort();
  private final Disposable.Composite subscriptions = Disposables.composite();

  ContainerDecisions(RolePolicy policy, Clock clock) {
    this.policy = policy;
    this.clock = clock;
  }

  /** Follows {@code index}: its containers and their changes, until {@link #close()}. */
  ContainerDecisions follow(ContainerIndex index) {
    subscriptions.add(index.changes().subscribe(container -> {
      containers.put(container.id(), container);
      if (changes.currentSubscriberCount() > 0) {
        emit(view(container, true));
      }
    }, error -> { }));
    subscriptions.add(index.stops().subscribe(container -> {
      containers.remove(container.id());
      Decision decision = policy.decide(container);
      if (decision instanceof Decision.Bound bound && bound.binding().containerId() != null) {
        credentials.remove(bound.binding());
      }
      if (changes.currentSubscriberCount() > 0) {
        emit(view(container, false));
      }
    }, error -> { }));
    return this;
  }

  /** {@code source}, with every fetch's outcome recorded against its binding. */
  CredentialSource observing(CredentialSource source) {
    return binding -> source.fetch(binding)
        .doOnSuccess(fetched -> changed(binding, new CredentialState(fetched.expiration(), clock.instant(), null)))
        .doOnError(error -> changed(binding, credentials.getOrDefault(binding, CredentialState.NONE).failed(
            error instanceof CredentialException failure ? failure.code() + ": " + failure.getMessage() : error.toString())));
  }

  /** Every container in the index now, by name. */
  List<ContainerDecision> snapshot() {
    return containers.values().stream()
        .map(container -> view(container, true))
        .sorted(Comparator.comparing(ContainerDecision::name).thenComparing(ContainerDecision::containerId))
        .toList();
  }

  /** The snapshot, then each change; nothing is missed between the two (a change may come twice). */
  Flux<ContainerDecision> stream() {
    return Flux.defer(() -> {
      Sinks.Many<ContainerDecision> mine = Sinks.many().unicast().onBackpressureBuffer();
      Disposable live = changes.asFlux().subscribe(mine::tryEmitNext);
      return Flux.fromIterable(snapshot()).concatWith(mine.asFlux()).doFinally(signal -> live.dispose());
    });
  }

  @Override
  public void close() {
    subscriptions.dispose();
    changes.tryEmitComplete();
  }

  private void changed(RoleBinding binding, CredentialState state) {
    credentials.put(binding, state);
    // On the loop, after every fetch: nothing more to do unless someone follows the stream, and a
    // binding of one container needs no walk over all of them (a daemon start prefetches them all).
    if (changes.currentSubscriberCount() == 0) {
      return;
    }
    if (binding.containerId() != null) {
      Container container = containers.get(binding.containerId());
      if (container != null) {
        emit(view(container, true));
      }
      return;
    }
    containers.values().stream()
        .filter(container -> policy.decide(container) instanceof Decision.Bound bound && bound.binding().equals(binding))
        .forEach(container -> emit(view(container, true)));
  }

  private ContainerDecision view(Container container, boolean running) {
    List<String> addresses = container.addresses().stream().map(InetAddress::getHostAddress).sorted().toList();
    Decision decision = policy.decide(container);
    if (decision instanceof Decision.Bound bound) {
      return new ContainerDecision(container.id(), container.name(), addresses, running, bound.binding().roleArn(),
          bound.reason(), credentials.getOrDefault(bound.binding(), CredentialState.NONE));
    }
    return new ContainerDecision(container.id(), container.name(), addresses, running, null,
        ((Decision.Denied) decision).reason(), CredentialState.NONE);
  }

  private synchronized void emit(ContainerDecision decision) {
    changes.tryEmitNext(decision);
  }
}
