package dev.berth.proxy.docker;

import java.net.InetAddress;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Maps a caller's source address to the container that holds it.
 *
 * <p>Implementations answer from memory on the hot path and never block the caller's thread.
 */
public interface ContainerIndex extends AutoCloseable {

  /**
   * The running container that holds {@code address}, or an empty {@code Mono} when no running
   * container does.
   */
  Mono<Container> byAddress(InetAddress address);

  /** Containers as they start, so that their credentials can be fetched before they ask. */
  Flux<Container> starts();

  /** Containers as they stop, so that what was kept for them can be dropped. */
  Flux<Container> stops();

  /** Completes once the index has been filled for the first time. */
  Mono<Void> ready();

  /** How many containers the index holds now. */
  int size();

  @Override
  void close();
}
