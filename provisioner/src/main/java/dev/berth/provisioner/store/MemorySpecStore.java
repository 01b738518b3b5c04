package dev.berth.provisioner.store;

import java.util.concurrent.ConcurrentSkipListMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@link SpecStore} in a map. */
final class MemorySpecStore implements SpecStore {

  private final ConcurrentSkipListMap<String, StoredGroup> groups = new ConcurrentSkipListMap<>();

  @Override
  public Mono<Void> save(StoredGroup group) {
    return Mono.fromRunnable(() -> groups.put(group.id(), group));
  }

  @Override
  public Mono<StoredGroup> load(String id) {
    return Mono.fromSupplier(() -> groups.get(id));
  }

  @Override
  public Flux<StoredGroup> list() {
    return Flux.defer(() -> Flux.fromIterable(groups.values()));
  }

  @Override
  public Mono<Void> delete(String id) {
    return Mono.fromRunnable(() -> groups.remove(id));
  }
}
