package dev.berth.encryptor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.runtime.HostCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/**
 * The append-only record of one run, a JSON object a line in {@code STATE_DIR/SESSION.jsonl}:
 * {@code start} (pid, process start, host), {@code creating} (kind and client token, written before
 * the create call), {@code created} (the id, written before the pipeline goes on), {@code kept}
 * (a verified result), {@code deleted}, and {@code finished} with the outcome.
 *
 * <p>Design notes: every line is forced to disk before the write completes, so a crash right after
 * a create call loses at most that one id, and the resource's session tag (set in the same call)
 * still finds it. Writes are blocking file I/O and run on {@code boundedElastic}, never on the
 * loop, and a cancelled run never interrupts one. {@link JournalState#read} tolerates a torn last line.
 */
final class Journal {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("berth-encryptor");
  static final String SUFFIX = ".jsonl";
  static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Clock clock;
  private final Scheduler home;
  // What this process wrote, so the running pipeline can clean up without reading the file back.
  private final java.util.Set<String> created = java.util.Collections.synchronizedSet(new java.util.LinkedHashSet<>());
  private final java.util.Set<String> kept = java.util.Collections.synchronizedSet(new java.util.LinkedHashSet<>());
  private final java.util.Set<CompletableFuture<?>> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private Journal(Path file, Clock clock, Scheduler home) {
    this.file = file;
    this.clock = clock;
    this.home = home;
  }

  static Path file(Path stateDir, String sessionId) {
    return stateDir.resolve(sessionId + SUFFIX);
  }

  /**
   * Creates the state directory if needed and writes the run's first line. Every write hands the
   * run back to {@code home} (the loop) once it is on disk.
   */
  static Mono<Journal> start(Path stateDir, Session session, String command, Clock clock, Scheduler home) {
    return Mono.fromCallable(() -> {
      Files.createDirectories(stateDir);
      Journal journal = new Journal(file(stateDir, session.id()), clock, home);
      ObjectNode line = journal.line("start").put("session", session.id()).put("pid", session.pid())
          .put("host", session.host()).put("command", command);
      if (session.processStart() != null) {
        line.put("processStart", session.processStart().toString());
      }
      journal.append(line);
      return journal;
    }).subscribeOn(Schedulers.boundedElastic()).publishOn(home);
  }

  /** Opens an existing journal to add cleanup's lines. */
  static Journal reopen(Path file, Clock clock, Scheduler home) {
    return new Journal(file, clock, home);
  }

  Path file() {
    return file;
  }

  /**
   * A create call, tracked until EC2 has answered it: a cancelled run does not cancel it (the request
   * may already be on its way), and {@link #settled()} waits for it, so cleanup never runs while a
   * resource of this run may still come into existence. Made through {@code ec2} once the host's
   * credentials are in memory, as {@link Ec2Waits#call} makes every other call.
   */
  <T> Mono<T> create(Ec2AsyncClient ec2, java.util.function.Supplier<CompletableFuture<T>> call) {
    return HostCredentials.readyFor(ec2).then(Mono.defer(() -> {
      CompletableFuture<T> future = call.get();
      inFlight.add(future);
      future.whenComplete((response, error) -> inFlight.remove(future));
      return Mono.fromFuture(future, true);
    })).onErrorMap(e -> !(e instanceof dev.berth.provisioner.ec2.Ec2CallException),
        dev.berth.provisioner.ec2.Ec2CallException::from);
  }

  /** Completes once every create call of this run has been answered, or after two minutes. */
  Mono<Void> settled() {
    CompletableFuture<?>[] pending = inFlight.toArray(CompletableFuture[]::new);
    return pending.length == 0 ? Mono.empty()
        : Mono.fromFuture(CompletableFuture.allOf(pending).handle((v, e) -> (Void) null), true)
            .timeout(java.time.Duration.ofMinutes(2), Mono.empty());
  }

  Mono<Void> creating(ResourceKind kind, String clientToken) {
    return write(line("creating").put("kind", kind.name()).put("token", clientToken));
  }

  java.util.List<String> createdIds() {
    synchronized (created) {
      return java.util.List.copyOf(created);
    }
  }

  java.util.Set<String> keptIds() {
    synchronized (kept) {
      return java.util.Set.copyOf(kept);
    }
  }

  Mono<Void> created(String id) {
    created.add(id);
    return write(line("created").put("kind", ResourceKind.of(id).name()).put("id", id))
        .doOnSuccess(v -> LOG.info("created {} (journaled)", id));
  }

  Mono<Void> kept(String id) {
    kept.add(id);
    return write(line("kept").put("id", id));
  }

  Mono<Void> deleted(String id) {
    return write(line("deleted").put("id", id));
  }

  Mono<Void> finished(String outcome) {
    return write(line("finished").put("outcome", outcome));
  }

  private ObjectNode line(String event) {
    return JSON.createObjectNode().put("event", event).put("time", clock.instant().toString());
  }

  // Not cancellable: a cancel (the run's timeout, Ctrl-C) would interrupt the writing thread, and an
  // interrupted FileChannel closes and drops the line that says what exists. The write finishes;
  // the cancelled run just stops waiting for it.
  private Mono<Void> write(ObjectNode line) {
    return Mono.fromFuture(() -> CompletableFuture.runAsync(() -> append(line),
        task -> Schedulers.boundedElastic().schedule(task)), true).publishOn(home);
  }

  private synchronized void append(ObjectNode line) {
    byte[] bytes = (line.toString() + "\n").getBytes(StandardCharsets.UTF_8);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      channel.write(ByteBuffer.wrap(bytes));
      channel.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the journal " + file + ": " + e.getMessage(), e);
    }
  }
}
