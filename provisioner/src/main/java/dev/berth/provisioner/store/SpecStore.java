package dev.berth.provisioner.store;

import java.nio.file.Path;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where desired state lives between runs. Writes are atomic: a reader sees the old group or the
 * new one, never a torn file.
 *
 * <pre>{@code
 * SpecStore store = SpecStore.directory(Path.of("/var/lib/berth/groups"));
 * store.save(StoredGroup.committed(spec)).then(store.load("workers")).subscribe(...);
 * }</pre>
 */
public interface SpecStore {

  /**
   * Writes a group, replacing what was stored under its id.
   *
   * @param group the group
   * @return completes when the write is durable
   */
  Mono<Void> save(StoredGroup group);

  /**
   * Reads one group.
   *
   * @param id the group id
   * @return the group, or empty if none is stored under that id
   */
  Mono<StoredGroup> load(String id);

  /**
   * Reads every group.
   *
   * @return the groups, by id
   */
  Flux<StoredGroup> list();

  /**
   * Forgets a group.
   *
   * @param id the group id
   * @return completes when it is gone; completes too if it was not there
   */
  Mono<Void> delete(String id);

  /**
   * A store of one JSON file per group ({@code <id>.json}) in {@code directory}, created if
   * missing. File work runs on {@code Schedulers.boundedElastic()}.
   *
   * @param directory the state directory
   * @return the store
   */
  static SpecStore directory(Path directory) {
    return new FileSpecStore(Objects.requireNonNull(directory, "directory"));
  }

  /**
   * A store that keeps groups in memory only, for tests and embedding.
   *
   * @return an empty store
   */
  static SpecStore inMemory() {
    return new MemorySpecStore();
  }
}
