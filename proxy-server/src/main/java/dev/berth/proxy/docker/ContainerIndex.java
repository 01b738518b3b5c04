package dev.berth.proxy.docker;

import java.net.InetAddress;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Maps a caller's source address to the container that holds it.
 *
 * <p>Implementations answer from memory on the hot path and never block the caller's thread.
 *
 * <p>A container <em>joins</em> the index when the index learns that it runs and did not hold it
 * (by whatever path: an event, the listing at start, a resync after a reconnect or a miss), and
 * <em>leaves</em> it when the index learns that it no longer runs. Learning again of a container
 * it holds (a re-inspection, a network change, a later listing) is neither.
 * {@link #starts()} announces joins and {@link #stops()} leaves:
 *
 * <pre>{@code
 * // Subscribe to stops first: then every container you are told of that later leaves, you are told left.
 * index.stops().subscribe(container -> forget(container));
 * index.starts().subscribe(container -> prepare(container));
 * }</pre>
 */
public interface ContainerIndex extends AutoCloseable {

  /**
   * The running container that holds {@code address}, or an empty {@code Mono} when no running
   * container does.
   */
  Mono<Container> byAddress(InetAddress address);

  /**
   * Every container the index holds, then each container that joins it, so that their credentials
   * can be fetched before they ask.
   *
   * <p>Each subscriber first receives every container the index holds at the moment its
   * subscription takes effect, then every container that joins after that moment: nothing is
   * missed between the two, and no container is delivered twice unless it left and joined again
   * in between. That moment may come after {@code subscribe} returns (once a write in progress is
   * done), and containers are delivered on the thread that writes the index: consumers must not
   * block.
   */
  Flux<Container> starts();

  /**
   * Each container that leaves the index after {@code subscribe} returns, once per leaving, so
   * that what was kept for it can be dropped; delivered on the thread that writes the index.
   */
  Flux<Container> stops();

  /**
   * Like {@link #starts()}, and also each container it holds whose networks change (connected to
   * or disconnected from one), with its new record: for what depends on where a container is
   * attached, such as its bridge ports. An index whose containers never change networks has the
   * same stream as {@link #starts()}.
   */
  default Flux<Container> changes() {
    return starts();
  }

  /** Completes once the index has been filled for the first time. */
  Mono<Void> ready();

  /** How many containers the index holds now. */
  int size();

  @Override
  void close();
}
