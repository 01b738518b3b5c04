package dev.berth.provisioner.controller;

import dev.berth.provisioner.store.SpecStore;
import dev.berth.provisioner.store.StoredGroup;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A store whose answers arrive on the controller's scheduler: a file store reads and writes on
 * {@code boundedElastic}, and without this every step after a save would go on running there
 * instead of on the loop.
 */
record HandingBackStore(SpecStore store, Scheduler scheduler) implements SpecStore {

  @Override
  public Mono<Void> save(StoredGroup group) {
    return store.save(group).publishOn(scheduler);
  }

  @Override
  public Mono<StoredGroup> load(String id) {
    return store.load(id).publishOn(scheduler);
  }

  @Override
  public Flux<StoredGroup> list() {
    return store.list().publishOn(scheduler);
  }

  @Override
  public Mono<Void> delete(String id) {
    return store.delete(id).publishOn(scheduler);
  }
}
