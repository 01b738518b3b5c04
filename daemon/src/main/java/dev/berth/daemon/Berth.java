package dev.berth.daemon;

import dev.berth.daemon.api.ApiRoutes;
import dev.berth.daemon.api.ContainerRoutes;
import dev.berth.daemon.api.ControlApi;
import dev.berth.daemon.api.EncryptionRoutes;
import dev.berth.daemon.api.GroupRoutes;
import dev.berth.provisioner.controller.ControllerSettings;
import dev.berth.provisioner.controller.GroupController;
import dev.berth.provisioner.controller.GroupStatus;
import dev.berth.proxy.ContainerDecision;
import dev.berth.proxy.BerthProxy;
import dev.berth.proxy.PacketRuleSettings;
import dev.berth.proxy.ProxyConfig;
import dev.berth.runtime.BerthRuntime;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.netty.resources.LoopResources;

/*
 * Design notes. Starting binds sockets, connects to the Docker engine and may install packet rules:
 * all of it blocks, so start() and stop() do their work on boundedElastic and never on a loop. The
 * two are serialised: a stop that arrives during a start (SIGTERM while the rules go in) waits for
 * the start to finish and then undoes all of it; a start after a stop does nothing.
 */

/**
 * Berth as one daemon, or embedded in a service of your own: the metadata proxy, the group
 * controllers and the encryption jobs, on one event loop shared with every AWS client.
 *
 * <pre>{@code
 * LoopResources loop = BerthRuntime.newLoopResources(1);
 * Berth berth = Berth.builder(config).loopResources(loop)
 *     .groupsDirectory(Path.of("/var/lib/berth/groups"))   // optional: host group controllers
 *     .build();
 * berth.start().block();
 * berth.decisions().subscribe(d -> log.info("{} gets {} ({})", d.name(), d.role(), d.reason()));
 * ...
 * berth.stop().block();
 * loop.disposeLater().block();
 * }</pre>
 */
public final class Berth {

  private static final Logger log = LoggerFactory.getLogger(Berth.class);
  /** How long stopping waits for running encryption jobs to be cleaned up. */
  private static final Duration JOB_CLEANUP_LIMIT = Duration.ofMinutes(2);

  private final Builder settings;
  private final Sinks.Empty<Void> stopped = Sinks.empty();
  private State state = State.NEW;
  private BerthRuntime runtime;
  private BerthProxy proxy;
  private GroupHost groups;
  private EncryptionJobs encryptions;

  private enum State { NEW, RUNNING, STOPPED }

  private Berth(Builder settings) {
    this.settings = settings;
  }

  /** A builder for a daemon serving the proxy configured by {@code config}. */
  public static Builder builder(ProxyConfig config) {
    return new Builder(config);
  }

  /**
   * Starts every part, once: the runtime (unless one was given), then the proxy with its listeners
   * and, when configured, its packet rules. Completes when all of them are up; fails, having undone
   * what was started, if one cannot start.
   */
  public Mono<Void> start() {
    return Mono.<Void>fromRunnable(this::startNow).subscribeOn(Schedulers.boundedElastic());
  }

  /**
   * Stops every part in reverse order, once: the packet rules first, then the listeners (in-flight
   * requests finish), the clients and, when it is Berth's own, the loop. Waits for a start in
   * progress. Completes when everything is released.
   */
  public Mono<Void> stop() {
    return Mono.<Void>fromRunnable(this::stopNow).subscribeOn(Schedulers.boundedElastic());
  }

  /** Completes when the daemon has stopped. */
  public Mono<Void> onStop() {
    return stopped.asMono();
  }

  /** Blocks the calling thread until the daemon has stopped. */
  public void awaitStop() {
    onStop().block();
  }

  /** Where the metadata proxy listens; the daemon must have started. */
  public InetSocketAddress address() {
    return running().address();
  }

  /** Where the admin endpoints listen; the daemon must have started. */
  public InetSocketAddress adminAddress() {
    return running().adminAddress();
  }

  /** The runtime every part runs on; the daemon must have started. */
  public BerthRuntime runtime() {
    running();
    return runtime;
  }

  /** Every container the proxy knows now: the role it resolves to (or why none) and its credentials' state. */
  public List<ContainerDecision> containers() {
    return running().containers();
  }

  /**
   * Every container the proxy knows, then each change: the role it resolves to (or why none), and
   * each credential fetch for it. Completes when the daemon stops.
   */
  public Flux<ContainerDecision> decisions() {
    return running().decisions();
  }

  /** The group controllers; the daemon must have started with a {@link Builder#groupsDirectory groups directory}. */
  public GroupController groups() {
    running();
    return hostedGroups().controller();
  }

  /** Each group's status after each round of its controller, from now on. Completes when the daemon stops. */
  public Flux<GroupStatus> groupStatus() {
    running();
    return hostedGroups().statuses();
  }

  /** The encryption jobs; the daemon must have started with an {@link Builder#encryptorStateDirectory encryptor state directory}. */
  public EncryptionJobs encryptions() {
    running();
    if (encryptions == null) {
      throw new IllegalStateException("encryption jobs are off: give an encryptor state directory (--encryptor-state-dir)");
    }
    return encryptions;
  }

  private GroupHost hostedGroups() {
    if (groups == null) {
      throw new IllegalStateException("group controllers are off: give a groups directory (--groups-dir)");
    }
    return groups;
  }

  private synchronized BerthProxy running() {
    if (state != State.RUNNING) {
      throw new IllegalStateException("Berth is " + state.name().toLowerCase() + ", not running");
    }
    return proxy;
  }

  private synchronized void startNow() {
    if (state != State.NEW) {
      return;
    }
    ProxyConfig config = settings.config;
    BerthRuntime.Builder runtimeSettings = BerthRuntime.builder().region(config.region()).stsEndpoint(config.stsEndpoint())
        .ec2Endpoint(settings.ec2Endpoint);
    BerthRuntime made = (settings.loopResources != null ? runtimeSettings.loopResources(settings.loopResources)
        : runtimeSettings.ioThreads(config.ioThreads())).build();
    try {
      BerthProxy.Builder builder = BerthProxy.builder(config).runtime(made);
      if (settings.packetRules != null) {
        builder.packetRules(settings.packetRules);
      }
      if (settings.onFatalError != null) {
        builder.onFatalError(settings.onFatalError);
      }
      if (settings.adminSocket != null) {
        builder.adminSocket(settings.adminSocket);
      }
      groups = settings.groupsDirectory == null ? null : new GroupHost(made, settings.groupsDirectory, settings.ec2PollInterval,
          settings.maxInstancesPerGroup);
      encryptions = settings.encryptorStateDirectory == null ? null
          : new EncryptionJobs(made, settings.encryptorStateDirectory, settings.ec2PollInterval,
              java.time.Clock.systemUTC());
      List<ApiRoutes> api = new ArrayList<>();
      api.add(new ContainerRoutes(() -> proxy == null ? List.of() : proxy.containers()));
      api.add(groups != null ? new GroupRoutes(groups.controller())
          : ControlApi.off("/v1/groups", "groups_off", "group controllers are off: start berth-proxy with --groups-dir DIR"));
      api.add(encryptions != null ? new EncryptionRoutes(encryptions)
          : ControlApi.off("/v1/encryptions", "encryptions_off",
              "encryption jobs are off: start berth-proxy with --encryptor-state-dir DIR"));
      builder.adminRoutes(ControlApi.routes(api));
      proxy = builder.start();
    } catch (RuntimeException | Error e) {
      if (groups != null) {
        groups.close();
      }
      made.close();
      throw e;
    }
    runtime = made;
    state = State.RUNNING;
  }

  private synchronized void stopNow() {
    State was = state;
    state = State.STOPPED;
    try {
      if (was == State.RUNNING) {
        log.info("stopping");
        // Pipelines first, while the EC2 client still runs: groups stop at their stored state, jobs
        // are cancelled and cleaned up. Then the proxy (its rules, then its listeners, drained).
        if (groups != null) {
          groups.close();
        }
        if (encryptions != null) {
          encryptions.stop(JOB_CLEANUP_LIMIT).block();
        }
        proxy.close();
        runtime.close();
      }
    } finally {
      stopped.tryEmitEmpty();
    }
  }

  /** Settings of a {@link Berth}. */
  public static final class Builder {
    private final ProxyConfig config;
    private LoopResources loopResources;
    private PacketRuleSettings packetRules;
    private Consumer<Throwable> onFatalError;
    private Path adminSocket;
    private Path groupsDirectory;
    private Path encryptorStateDirectory;
    private URI ec2Endpoint;
    private Duration ec2PollInterval;
    private int maxInstancesPerGroup = ControllerSettings.DEFAULT_MAX_INSTANCES;

    private Builder(ProxyConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Runs everything on the caller's loop instead of one of Berth's own; the caller disposes it
     * after {@link #stop()}. Epoll and NIO loops are supported (the AWS SDK's transports).
     */
    public Builder loopResources(LoopResources loopResources) {
      this.loopResources = Objects.requireNonNull(loopResources, "loopResources");
      return this;
    }

    /** Makes the proxy transparent with packet rules ({@code null}: none, the default). Needs root. */
    public Builder packetRules(PacketRuleSettings packetRules) {
      this.packetRules = packetRules;
      return this;
    }

    /** What to do with a JVM-fatal error on the loop (the daemon halts; embedded, the default leaves it to Netty). */
    public Builder onFatalError(Consumer<Throwable> onFatalError) {
      this.onFatalError = Objects.requireNonNull(onFatalError, "onFatalError");
      return this;
    }

    /** Also serves the admin endpoints and the control API on a unix socket (mode 0600) at {@code path}. */
    public Builder adminSocket(Path adminSocket) {
      this.adminSocket = adminSocket;
      return this;
    }

    /**
     * Runs a group controller for every group stored in {@code directory} (one JSON file each, as
     * the provisioner keeps them; written there by an operator or through {@code PUT /v1/groups/ID}).
     */
    public Builder groupsDirectory(Path directory) {
      this.groupsDirectory = directory;
      return this;
    }

    /** Runs encryption jobs ({@code POST /v1/encryptions}), journaled in {@code directory}. */
    public Builder encryptorStateDirectory(Path directory) {
      this.encryptorStateDirectory = directory;
      return this;
    }

    /** Sends EC2 calls (groups, encryptions) to {@code endpoint} instead of the region's. */
    public Builder ec2Endpoint(URI endpoint) {
      this.ec2Endpoint = endpoint;
      return this;
    }

    /**
     * How often EC2 is polled: each group's reconciliation round (default 10 s) and the waits of an
     * encryption (default the SDK waiters' own, 15 s); {@code null} for those defaults.
     */
    public Builder ec2PollInterval(Duration interval) {
      if (interval != null && (interval.isNegative() || interval.isZero())) {
        throw new IllegalArgumentException("--ec2-poll-interval must be positive, got " + interval);
      }
      this.ec2PollInterval = interval;
      return this;
    }

    /**
     * The hard cap on a group's instances: a spec asking for more (desired plus surge) is refused,
     * as by the provisioner's {@code --max-instances}; {@value ControllerSettings#DEFAULT_MAX_INSTANCES} by default.
     */
    public Builder maxInstancesPerGroup(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("--max-instances must be at least 1, got " + max);
      }
      this.maxInstancesPerGroup = max;
      return this;
    }

    /** A daemon ready to {@link #start()}; nothing runs yet. */
    public Berth build() {
      return new Berth(this);
    }
  }
}
