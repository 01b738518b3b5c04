package dev.berth.encryptor;

import dev.berth.runtime.BerthRuntime;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/**
 * Encrypted-image workflows on a {@link BerthRuntime}'s EC2 client and event loop, which the caller
 * owns (the daemon's one loop, or the command line's): {@link #encrypt} makes an encrypted copy of an
 * image and never leaves a temporary resource behind; {@link #cleanup} and {@link #cleanupStale}
 * finish the job of a run that crashed.
 *
 * <pre>{@code
 * BerthRuntime runtime = BerthRuntime.builder().region("us-west-2").build();   // or the daemon's
 * Encryptor encryptor = Encryptor.builder(runtime).stateDirectory(Path.of("/var/lib/berth/encryptor")).build();
 * Session session = Session.create();
 * String imageId = encryptor.encrypt(EncryptSpec.builder("ami-0123456789abcdef0").build(), session).block();
 * }</pre>
 *
 * <p>Every resource a run creates carries the tag {@code berth:encryptor-session=SESSION} from the
 * call that creates it, and is recorded in {@code STATE_DIR/SESSION.jsonl} before the run goes on.
 */
public final class Encryptor {

  private final Ec2AsyncClient ec2;
  private final Path stateDir;
  private final Clock clock;
  private final Scheduler home;
  private final EncryptPipeline pipeline;
  private final Cleanup cleanup;
  private final Diagnostics diagnostics;
  private final LogSharing logSharing;
  private final java.util.Map<String, Journal> open = new java.util.concurrent.ConcurrentHashMap<>();

  private Encryptor(Builder builder) {
    this.ec2 = builder.ec2;
    this.stateDir = builder.stateDir;
    this.clock = builder.clock;
    this.home = builder.home;
    Ec2Waits waits = new Ec2Waits(ec2, builder.loop, builder.pollInterval);
    this.cleanup = new Cleanup(ec2, waits, builder.retryBase, Duration.ofMinutes(15));
    RunEndings endings = new RunEndings(ec2, cleanup);
    StatusPoller poller = new StatusPoller(builder.loop,
        builder.pollInterval != null ? builder.pollInterval : StatusPoller.DEFAULT_EVERY);
    this.pipeline = new EncryptPipeline(ec2, waits, poller, endings, stateDir, clock, builder.progress, open,
        builder.home);
    this.diagnostics = new Diagnostics(ec2);
    this.logSharing = new LogSharing(ec2, waits, endings, stateDir, clock, open, builder.home);
  }

  /**
   * A builder over a runtime the caller owns and closes: its EC2 client makes every call, the SDK's
   * waiters schedule their polls on its loop, and the encryptor's status port is polled from it.
   *
   * @param runtime the runtime
   * @return a new builder
   */
  public static Builder builder(BerthRuntime runtime) {
    return new Builder(runtime.ec2(), runtime.eventLoop(), runtime.scheduler());
  }

  /**
   * Encrypts {@code spec}'s image. The result is the new image's id, once every snapshot behind it
   * has been verified to be encrypted under the key. On failure or at the deadline, everything the
   * run created is deleted before the error ({@link EncryptorException}) is signalled.
   *
   * @param spec what to encrypt
   * @param session the run's session, from {@link Session#create()}
   * @return the new image id
   */
  public Mono<String> encrypt(EncryptSpec spec, Session session) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(session, "session");
    return pipeline.run(spec, session, false);
  }

  /**
   * Re-encrypts an image this tool made (it carries {@code berth:encrypted-from}) under
   * {@code spec}'s key, keeping the guest's data, its name stem and its tags: the same run as
   * {@link #encrypt}, with the validation turned around.
   *
   * @param spec the image to update and the new key
   * @param session the run's session
   * @return the new image id
   */
  public Mono<String> update(EncryptSpec spec, Session session) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(session, "session");
    return pipeline.run(spec, session, true);
  }

  /**
   * What is wrong with an instance: its state and reason, status checks, volumes with their
   * encryption and key, and the tail of its console output. Read calls only.
   *
   * @param instanceId {@code i-...}
   * @return the diagnosis
   */
  public Mono<InstanceDiagnosis> diagnose(String instanceId) {
    return diagnostics.diagnose(Objects.requireNonNull(instanceId, "instanceId"));
  }

  /**
   * Snapshots an instance's root volume and shares the snapshot with another account
   * ({@code createVolumePermission}), as a journaled run of {@code session}: on failure the
   * snapshot is deleted. The result says which KMS permissions the other account needs.
   *
   * @param instanceId {@code i-...}
   * @param account the account to share with, twelve digits
   * @param session the run's session
   * @return the shared snapshot
   */
  public Mono<SharedLogs> shareLogs(String instanceId, String account, Session session) {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(session, "session");
    return logSharing.share(instanceId, account, session);
  }

  /**
   * Deletes what session {@code sessionId} created and did not keep: the ids in its journal (if
   * this state directory has it) and whatever carries its session tag.
   *
   * @param sessionId e.g. {@code enc-3f2a9c0d1b4e5f60}
   * @return what was deleted and what could not be
   */
  public Mono<CleanupReport> cleanup(String sessionId) {
    if (!Session.isId(sessionId)) {
      return Mono.error(EncryptorException.invalid("SESSION '" + sessionId
          + "' is not a session id; expected enc- and 16 hex digits, as printed at the start of the run"));
    }
    Path file = Journal.file(stateDir, sessionId);
    // A run of this encryptor that was just cancelled may have a create call on its way: wait for
    // its answer first, so the session tag finds what it made.
    Journal running = open.remove(sessionId);
    Mono<Void> settled = running == null ? Mono.empty() : running.settled();
    return settled.then(Mono.fromCallable(() -> Files.exists(file) ? JournalState.read(file) : null))
        .subscribeOn(Schedulers.boundedElastic())
        .publishOn(home)
        .map(java.util.Optional::of)
        .defaultIfEmpty(java.util.Optional.empty())
        .flatMap(state -> clean(sessionId, state.orElse(null)));
  }

  /**
   * Cleans up every run in the state directory that is stale: unfinished, on this host, and whose
   * process is gone.
   *
   * @return one report per stale session
   */
  public Flux<CleanupReport> cleanupStale() {
    String host = Session.hostName();
    return Mono.fromCallable(() -> journals().stream().map(JournalState::read).filter(s -> s.stale(host)).toList())
        .subscribeOn(Schedulers.boundedElastic())
        .publishOn(home)
        .flatMapMany(Flux::fromIterable)
        .concatMap(state -> clean(state.sessionId(), state));
  }

  private Mono<CleanupReport> clean(String sessionId, JournalState state) {
    Journal journal = state == null ? null : Journal.reopen(state.file(), clock, home);
    List<String> ids = state == null ? List.of() : state.pending();
    Set<String> kept = state == null ? Set.of() : state.kept();
    return cleanup.run(sessionId, ids, kept, true, journal)
        .flatMap(report -> journal == null ? Mono.just(report)
            : journal.finished(report.clean() ? JournalState.CLEANED : JournalState.LEFTOVERS).thenReturn(report));
  }

  private List<Path> journals() {
    if (!Files.isDirectory(stateDir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(stateDir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(Journal.SUFFIX)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the state directory " + stateDir + ": " + e.getMessage(), e);
    }
  }

  /** Settings for an {@link Encryptor}; every setter checks its argument. */
  public static final class Builder {

    private final Ec2AsyncClient ec2;
    private final EventLoopGroup loop;
    private final Scheduler home;
    private Path stateDir = Path.of(System.getProperty("user.home"), ".berth", "encryptor");
    private Clock clock = Clock.systemUTC();
    private Duration pollInterval;
    private Duration retryBase = Duration.ofSeconds(1);
    private java.util.function.Consumer<Progress> progress = p -> { };

    private Builder(Ec2AsyncClient ec2, EventLoopGroup loop, Scheduler home) {
      this.ec2 = Objects.requireNonNull(ec2, "ec2");
      this.loop = Objects.requireNonNull(loop, "loop");
      this.home = Objects.requireNonNull(home, "home");
    }

    /**
     * Where journals live; {@code ~/.berth/encryptor} by default.
     *
     * @param stateDir a directory, created when the first run starts
     * @return this builder
     */
    public Builder stateDirectory(Path stateDir) {
      this.stateDir = Objects.requireNonNull(stateDir, "stateDir");
      return this;
    }

    /**
     * The clock for deadlines and journal times; the system clock by default.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Replaces the SDK waiters' documented polling delay (15 s for images and instances) and the
     * status port's (10 s). For
     * tests and fast EC2-compatible endpoints only: against EC2 the documented delay is right.
     *
     * @param pollInterval positive, or {@code null} for the SDK's delay
     * @return this builder
     */
    public Builder pollInterval(Duration pollInterval) {
      if (pollInterval != null && (pollInterval.isNegative() || pollInterval.isZero())) {
        throw new IllegalArgumentException("pollInterval must be positive, got " + pollInterval);
      }
      this.pollInterval = pollInterval;
      return this;
    }

    /**
     * The first delay between cleanup retries, doubling up to 16 times it; 1 s by default.
     *
     * @param retryBase positive
     * @return this builder
     */
    public Builder cleanupRetryDelay(Duration retryBase) {
      Objects.requireNonNull(retryBase, "retryBase");
      if (retryBase.isNegative() || retryBase.isZero()) {
        throw new IllegalArgumentException("cleanupRetryDelay must be positive, got " + retryBase);
      }
      this.retryBase = retryBase;
      return this;
    }

    /**
     * Who hears an encryptor instance's progress (strategy {@code instance}); called on the event
     * loop, so it must not block. Nobody by default (progress is logged either way).
     *
     * @param progress the listener
     * @return this builder
     */
    public Builder progress(java.util.function.Consumer<Progress> progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    /**
     * Assembles the encryptor.
     *
     * @return the encryptor
     */
    public Encryptor build() {
      return new Encryptor(this);
    }
  }
}
