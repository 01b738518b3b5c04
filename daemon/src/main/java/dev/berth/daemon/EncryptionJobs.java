package dev.berth.daemon;

import dev.berth.encryptor.EncryptSpec;
import dev.berth.encryptor.Encryptor;
import dev.berth.encryptor.EncryptorException;
import dev.berth.encryptor.Progress;
import dev.berth.encryptor.Session;
import dev.berth.runtime.BerthRuntime;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/*
 * Design notes. A job is one encryptor run in the daemon's runtime: its pipeline runs on the loop,
 * its journal in the state directory makes it recoverable by `berth-encryptor cleanup ID` if the
 * daemon dies. Cancelling (DELETE, or the daemon stopping) disposes the run and then cleans its
 * session up, exactly as Ctrl-C does on the command line; a job is only "cancelled" once the cleanup
 * has answered, so a stopped daemon leaves nothing behind that it could have deleted.
 */

/** The encryption jobs the daemon runs: submit, follow, cancel. */
public final class EncryptionJobs {

  private static final Logger log = LoggerFactory.getLogger(EncryptionJobs.class);

  private final Encryptor encryptor;
  private final Clock clock;
  private final MeterRegistry meters;
  private final Map<String, Entry> jobs = new ConcurrentHashMap<>();
  private final Sinks.Many<EncryptionJob> changes = Sinks.many().multicast().directBestEffort();

  private static final class Entry {
    final AtomicReference<EncryptionJob> view;
    final Sinks.Many<EncryptionJob> events = Sinks.many().replay().latest();
    volatile Disposable run;
    volatile Mono<EncryptionJob> cancelled;

    Entry(EncryptionJob first) {
      view = new AtomicReference<>(first);
    }
  }

  EncryptionJobs(BerthRuntime runtime, Path stateDirectory, Duration pollInterval, Clock clock) {
    this.clock = clock;
    this.meters = runtime.meters();
    Encryptor.Builder encryptor = Encryptor.builder(runtime).stateDirectory(stateDirectory).clock(clock)
        .progress(this::progressed);
    this.encryptor = (pollInterval == null ? encryptor : encryptor.pollInterval(pollInterval)).build();
    Gauge.builder("berth.encryptions.running", jobs, all -> all.values().stream()
        .filter(entry -> !entry.view.get().done()).count()).description("Encryption jobs running").register(meters);
  }

  /**
   * Starts encrypting {@code spec}'s image in a new session. The job is running when the answer
   * arrives; its end is in {@link #events(String)}.
   */
  public Mono<EncryptionJob> submit(EncryptSpec spec) {
    // Session.create resolves the host name, which may block: never on the loop.
    return Mono.fromCallable(Session::create).subscribeOn(Schedulers.boundedElastic()).map(session -> {
      Entry entry = new Entry(new EncryptionJob(session.id(), spec.imageId(), "running", null, -1, clock.instant(),
          null, null, null, null));
      jobs.put(session.id(), entry);
      publish(entry, entry.view.get());
      log.info("encryption {} of {} started", session.id(), spec.imageId());
      entry.run = encryptor.encrypt(spec, session).subscribe(
          imageId -> end(entry, "succeeded", imageId, null),
          error -> end(entry, "failed", null, error));
      return entry.view.get();
    });
  }

  /** Every job this daemon has run, newest first. */
  public List<EncryptionJob> list() {
    return jobs.values().stream().map(entry -> entry.view.get())
        .sorted(Comparator.comparing(EncryptionJob::started).reversed()).toList();
  }

  /** One job, if this daemon ran it. */
  public Optional<EncryptionJob> get(String id) {
    return Optional.ofNullable(jobs.get(id)).map(entry -> entry.view.get());
  }

  /** The job's state now, then each change, completing when it has ended; empty for an unknown id. */
  public Flux<EncryptionJob> events(String id) {
    Entry entry = jobs.get(id);
    return entry == null ? Flux.empty() : entry.events.asFlux();
  }

  /** Every job's changes, from now on. */
  public Flux<EncryptionJob> changes() {
    return changes.asFlux();
  }

  /**
   * Cancels a running job and deletes what it created; completes with the job once cleaned up.
   * A job that has ended is answered as it is.
   */
  public Mono<EncryptionJob> cancel(String id) {
    Entry entry = jobs.get(id);
    if (entry == null) {
      return Mono.empty();
    }
    synchronized (entry) {
      if (entry.cancelled == null) {
        entry.cancelled = entry.view.get().done() ? Mono.just(entry.view.get()) : cancelRunning(entry).cache();
      }
      return entry.cancelled;
    }
  }

  /** Cancels every running job and cleans up, at most {@code within}: the daemon is stopping. */
  Mono<Void> stop(Duration within) {
    return Flux.fromIterable(List.copyOf(jobs.keySet()))
        .filter(id -> !jobs.get(id).view.get().done())
        .flatMap(this::cancel)
        .then()
        .timeout(within, Mono.fromRunnable(() -> log.warn("encryption cleanup did not finish within {}; "
            + "run 'berth-encryptor cleanup SESSION' for the sessions above", within)))
        .doFinally(signal -> changes.tryEmitComplete());
  }

  private Mono<EncryptionJob> cancelRunning(Entry entry) {
    return Mono.defer(() -> {
      String id = entry.view.get().id();
      log.info("encryption {} cancelled; cleaning up", id);
      publish(entry, entry.view.updateAndGet(EncryptionJob::cancelling));
      entry.run.dispose();
      return encryptor.cleanup(id).map(report -> {
        String leftovers = report.clean() ? null : "left behind: " + report.leftovers();
        return end(entry, "cancelled", null, leftovers == null ? null : new IllegalStateException(leftovers));
      });
    });
  }

  private EncryptionJob end(Entry entry, String state, String imageId, Throwable error) {
    EncryptionJob ended;
    synchronized (entry) {
      EncryptionJob now = entry.view.get();
      if (now.done() || (now.state().equals("cancelling") && !state.equals("cancelled"))) {
        return now; // a cancelled run's own error is not its end: the cleanup's answer is
      }
      ended = now.ended(state, clock.instant(), imageId, error == null ? null : error.getMessage(),
          error == null ? null : error instanceof EncryptorException refused
              && refused.kind() == EncryptorException.Kind.INVALID ? "invalid" : "failed");
      entry.view.set(ended);
    }
    Counter.builder("berth.encryptions").description("Encryption jobs ended, by outcome").tag("outcome", state)
        .register(meters).increment();
    log.info("encryption {} {}{}", ended.id(), state, imageId != null ? ": " + imageId
        : error != null ? ": " + error.getMessage() : "");
    publish(entry, ended);
    entry.events.tryEmitComplete();
    return ended;
  }

  private void progressed(Progress progress) {
    Entry entry = jobs.get(progress.sessionId());
    if (entry != null && !entry.view.get().done()) {
      publish(entry, entry.view.updateAndGet(job -> job.progressed(progress.state(), progress.percent())));
    }
  }

  private synchronized void publish(Entry entry, EncryptionJob job) {
    entry.events.tryEmitNext(job);
    changes.tryEmitNext(job);
  }
}
