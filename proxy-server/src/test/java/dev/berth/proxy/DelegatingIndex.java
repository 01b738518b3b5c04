package dev.berth.proxy;

import dev.berth.proxy.docker.Container;
import dev.berth.proxy.docker.ContainerIndex;
import dev.berth.proxy.docker.StaticContainerIndex;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@link StaticContainerIndex} as the proxy sees it, with its announcements of starts passed
 * through {@code starts} (to inject failures), its first fill completing when {@link #ready} does
 * (at once, unless a test holds it back) and its closing recorded.
 */
final class DelegatingIndex implements ContainerIndex {

  final StaticContainerIndex containers = new StaticContainerIndex();
  final AtomicBoolean closed = new AtomicBoolean();
  Mono<Void> ready = Mono.empty();
  private final Function<Flux<Container>, Flux<Container>> starts;

  DelegatingIndex(Function<Flux<Container>, Flux<Container>> starts) {
    this.starts = starts;
  }

  @Override
  public Mono<Container> byAddress(InetAddress address) {
    return containers.byAddress(address);
  }

  @Override
  public Flux<Container> starts() {
    return starts.apply(containers.starts());
  }

  @Override
  public Flux<Container> stops() {
    return containers.stops();
  }

  @Override
  public Mono<Void> ready() {
    return ready;
  }

  @Override
  public int size() {
    return containers.size();
  }

  @Override
  public void close() {
    closed.set(true);
    containers.close();
  }
}
