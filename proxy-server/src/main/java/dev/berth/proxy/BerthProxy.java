package dev.berth.proxy;

import dev.berth.proxy.admin.AdminServer;
import dev.berth.proxy.credentials.CredentialCache;
import dev.berth.proxy.credentials.CredentialException;
import dev.berth.proxy.credentials.CredentialSource;
import dev.berth.proxy.docker.ContainerIndex;
import dev.berth.proxy.docker.DockerContainerIndex;
import dev.berth.proxy.http.ConnectionGuard;
import dev.berth.proxy.http.MetadataHandler;
import dev.berth.proxy.http.Upstream;
import dev.berth.proxy.local.LocalMode;
import dev.berth.proxy.policy.RolePolicy;
import dev.berth.proxy.sts.StsRoleAssumer;
import dev.berth.proxy.token.TokenIssuer;
import dev.berth.runtime.BerthRuntime;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRoutes;
import reactor.netty.resources.LoopResources;

/**
 * The Berth metadata proxy: one event loop carrying the HTTP server, the upstream client and the
 * STS client; a container index; a role policy; a credential cache.
 *
 * <p>As a daemon: {@code BerthProxy.start(config)}. Embedded, with parts of your own:
 *
 * <pre>{@code
 * try (BerthProxy proxy = BerthProxy.builder(config)
 *     .containers(myIndex)              // default: the Docker engine at config.dockerHost()
 *     .credentials(myCredentialSource)  // default: STS AssumeRole
 *     .start()) {
 *   InetSocketAddress where = proxy.address();
 * }
 * }</pre>
 */
public final class BerthProxy implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BerthProxy.class);
  private static final String STS_CALLS = "Credential fetches (STS AssumeRole, or the local issuer), by outcome";

  private final List<AutoCloseable> resources;
  private final DisposableServer server;
  private final DisposableServer admin;
  private final PrometheusMeterRegistry meters;
  private final ContainerDecisions decisions;

  private BerthProxy(List<AutoCloseable> resources, DisposableServer server, DisposableServer admin,
      PrometheusMeterRegistry meters, ContainerDecisions decisions) {
    this.resources = resources;
    this.server = server;
    this.admin = admin;
    this.meters = meters;
    this.decisions = decisions;
  }

  /** Starts the proxy with every part built from {@code config}. */
  public static BerthProxy start(ProxyConfig config) {
    return builder(config).start();
  }

  /** A builder for a proxy whose parts may be replaced. */
  public static Builder builder(ProxyConfig config) {
    return new Builder(config);
  }

  /** Where the metadata proxy listens. */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.address();
  }

  /** Where the admin endpoints listen. */
  public InetSocketAddress adminAddress() {
    return (InetSocketAddress) admin.address();
  }

  /** The proxy's metrics, as {@code /metrics} shows them. */
  public String scrapeMetrics() {
    return meters.scrape();
  }

  /** Every container the proxy knows now, by name: its role (or why it has none) and its credentials' state. */
  public List<ContainerDecision> containers() {
    return decisions.snapshot();
  }

  /**
   * Every container the proxy knows, then each change: a container joining, changing or leaving
   * (its last record says {@code running: false}), and each credential fetch for it. Hot: nothing is
   * missed between the snapshot and the changes, and the stream completes when the proxy closes.
   */
  public Flux<ContainerDecision> decisions() {
    return decisions.stream();
  }

  /** Blocks the calling thread until the proxy is closed. */
  public void awaitClose() {
    server.onDispose().block();
  }

  /**
   * Releases every part in reverse order of creation: the packet rules, the listeners, the caches and clients, the loop. A part that fails to
   * stop (or does not stop in time) is logged and the others are still released: the event loop,
   * the STS client and the container index never outlive the proxy because of another part.
   */
  @Override
  public void close() {
    for (int i = resources.size() - 1; i >= 0; i--) {
      release(resources.get(i));
    }
  }

  private static void release(AutoCloseable part) {
    try {
      part.close();
    } catch (Exception | Error e) {
      if (e instanceof VirtualMachineError fatal) {
        throw fatal;
      }
      log.warn("while stopping: {}", e.toString());
    }
  }

  /** Assembles a {@link BerthProxy}; parts not given are built from the configuration. */
  public static final class Builder {
    private final ProxyConfig config;
    private ContainerIndex containers;
    private CredentialSource credentials;
    private Upstream upstream;
    private Clock clock = Clock.systemUTC();
    private Consumer<Throwable> onFatalError;
    private BerthRuntime runtime;
    private PacketRuleSettings packetRules;
    private Consumer<HttpServerRoutes> adminRoutes = routes -> {};
    private Path adminSocket;
    private CredentialSource warmUpCredentials;

    private Builder(ProxyConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /** Replaces the container index. The proxy closes it when it closes. */
    public Builder containers(ContainerIndex containers) {
      this.containers = Objects.requireNonNull(containers, "containers");
      return this;
    }

    /** Replaces where credentials come from. */
    public Builder credentials(CredentialSource credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /** Replaces where other metadata paths go. */
    public Builder upstream(Upstream upstream) {
      this.upstream = Objects.requireNonNull(upstream, "upstream");
      return this;
    }

    /**
     * Runs the proxy on {@code runtime}'s loop, with its STS client and meter registry; the caller
     * closes the runtime after the proxy. Without it the proxy makes a runtime of its own from the
     * configuration ({@code ioThreads}, {@code region}, {@code stsEndpoint}) and closes it.
     */
    public Builder runtime(BerthRuntime runtime) {
      this.runtime = Objects.requireNonNull(runtime, "runtime");
      return this;
    }

    /**
     * Makes the proxy transparent: once it listens, iptables rules steer containers' requests for
     * the metadata address to it (and, with the bridge guard, nftables binds every container's
     * bridge port to its own addresses first); they are removed when the proxy closes. Needs root.
     */
    public Builder packetRules(PacketRuleSettings packetRules) {
      this.packetRules = Objects.requireNonNull(packetRules, "packetRules");
      return this;
    }

    /** Adds routes to the admin listener, next to {@code /healthz}, {@code /readyz} and {@code /metrics}. */
    public Builder adminRoutes(Consumer<HttpServerRoutes> adminRoutes) {
      this.adminRoutes = Objects.requireNonNull(adminRoutes, "adminRoutes");
      return this;
    }

    /** Also serves the admin routes on a unix socket at {@code path}, readable and writable by the owner only. */
    public Builder adminSocket(Path path) {
      this.adminSocket = Objects.requireNonNull(path, "path");
      return this;
    }

    /** Replaces the credentials of the warm-up's synthetic caller (default: local ones); for tests. */
    Builder warmUpCredentials(CredentialSource source) {
      this.warmUpCredentials = Objects.requireNonNull(source, "source");
      return this;
    }

    /** Replaces the clock that times tokens and credentials. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * What to do when a JVM-fatal error ({@link VirtualMachineError} such as {@link OutOfMemoryError},
     * or {@link LinkageError}) surfaces in the proxy's server, on its event loop: on the listening
     * channel (accepting) or a client connection (reading, decoding). The daemon halts the process,
     * since nothing in it can be trusted after such an error; by default an embedded proxy leaves it
     * to Netty, which logs it, and to the embedding application.
     */
    public Builder onFatalError(Consumer<Throwable> action) {
      this.onFatalError = Objects.requireNonNull(action, "action");
      return this;
    }

    /** Builds every missing part, binds the listeners and starts indexing containers. */
    public BerthProxy start() {
      List<AutoCloseable> resources = new ArrayList<>();
      try {
        return start(resources);
      } catch (RuntimeException e) {
        for (int i = resources.size() - 1; i >= 0; i--) {
          try {
            resources.get(i).close();
          } catch (Exception suppressed) {
            e.addSuppressed(suppressed);
          }
        }
        throw e;
      }
    }

    private BerthProxy start(List<AutoCloseable> resources) {
      if (packetRules != null && config.local()) {
        throw new IllegalArgumentException("--iptables and --local do not go together: local mode serves loopback only");
      }
      BerthRuntime runtime = this.runtime;
      if (runtime == null) {
        runtime = BerthRuntime.builder().ioThreads(config.ioThreads()).region(config.region())
            .stsEndpoint(config.stsEndpoint()).build();
        resources.add(runtime);
      }
      EventLoopGroup loop = runtime.eventLoop();
      PrometheusMeterRegistry meters = runtime.meters();

      // Made twice from the same settings: the metadata server, and its copy that the warm-up asks.
      LoopResources loops = runtime.loopResources();
      Supplier<HttpServer> metadataServer = () -> HttpServer.create()
          .runOn(loops)
          .idleTimeout(Duration.ofSeconds(30))
          .httpRequestDecoder(spec -> spec.maxInitialLineLength(4096).maxHeaderSize(8192).maxChunkSize(8192))
          .doOnChannelInit(ConnectionGuard.create(config.maxConnections(), config.maxConnectionsPerCaller()));
      // Ready once the request path has been exercised too (or the warm-up gave up: it never keeps the
      // proxy unready). Needs nothing but the loop, so it starts first and runs while the Docker
      // client, the caches and the server are made, rather than after them.
      AtomicBoolean warmedUp = new AtomicBoolean();
      Disposable warming = warmUp(metadataServer.get(), meters).doFinally(signal -> warmedUp.set(true)).subscribe();
      resources.add(warming::dispose);

      if (config.local()) {
        log.warn("LOCAL MODE: loopback callers get locally issued credentials that AWS will reject; "
            + "no Docker engine and no AWS account are used");
      }
      ContainerIndex found = containers != null ? containers
          : config.local() ? LocalMode.containers() : DockerContainerIndex.connect(config.dockerHost(), loops, meters);
      BoundContainers guarded = packetRules != null && packetRules.bridgeGuard() ? new BoundContainers(found) : null;
      ContainerIndex index = guarded != null ? guarded : found;
      resources.add(index);

      CredentialSource source = credentials;
      if (source == null && config.local()) {
        source = LocalMode.issuer(config.sessionDuration(), clock);
      } else if (source == null) {
        // The STS client (about a second of a cold JVM's time) is made off the way to ready.
        BerthRuntime clients = runtime;
        source = new StsRoleAssumer(clients::sts, config.sessionDuration(), clock);
      }
      String defaultRole = config.defaultRole() == null && config.local() ? LocalMode.ROLE : config.defaultRole();
      RolePolicy policy = new RolePolicy(new RolePolicy.Settings(config.roleLabel(), defaultRole,
          config.baseRoleArn() != null ? config.baseRoleArn() : config.local() ? LocalMode.BASE_ROLE_ARN : null,
          config.allowedRoles(), config.perRoleSessions()));
      ContainerDecisions decisions = new ContainerDecisions(policy, clock).follow(index);
      resources.add(decisions);
      CredentialCache cache = CredentialCache.caffeine(decisions.observing(counted(source, meters)),
          CredentialCache.Settings.defaults(), clock, meters);

      Upstream passThrough = upstream != null ? upstream
          : config.local() ? LocalMode.metadata(config.region() == null ? "us-east-1" : config.region())
          : config.upstream() == null ? Upstream.disabled()
          : Upstream.cached(Upstream.http(config.upstream(), loop), config.upstreamCache());
      resources.add(passThrough);

      // Stops first: a container prefetched from starts (those already running, then each new one)
      // that stops later is then always evicted.
      Disposable evict = index.stops().subscribe(container -> cache.evictContainer(container.id()));
      resources.add(evict::dispose);
      Disposable prefetch = ContainerPrefetch.start(index, policy, cache);
      resources.add(prefetch::dispose);

      Gauge.builder("berth.containers", index, ContainerIndex::size).description("Containers indexed").register(meters);
      Gauge.builder("berth.credentials.cached", cache, CredentialCache::size)
          .description("Role bindings with cached credentials").register(meters);

      MetadataHandler handler = MetadataHandler.builder()
          .containers(index)
          .policy(policy)
          .credentials(cache)
          .tokens(TokenIssuer.withRandomKey(clock))
          .upstream(passThrough)
          .tokenRequired(config.tokenRequired())
          .maxForwardedPerCaller(config.maxForwardedPerCaller())
          .meters(meters)
          .build();
      HttpServer http = metadataServer.get().bindAddress(config::listen)
          // Tracks connections so that disposeNow drains them: a request in flight at shutdown is answered.
          .channelGroup(new DefaultChannelGroup(GlobalEventExecutor.INSTANCE))
          .handle(handler);
      DisposableServer server = (onFatalError == null ? http : FatalErrorWatch.on(http, onFatalError)).bindNow();
      resources.add(() -> server.disposeNow(Duration.ofSeconds(5)));
      AtomicBoolean indexed = new AtomicBoolean();
      Disposable readiness = index.ready().subscribe(null,
          error -> log.error("container index failed: {}", error.toString()), () -> indexed.set(true));
      resources.add(readiness::dispose);
      BooleanSupplier ready = () -> !server.isDisposed() && indexed.get() && warmedUp.get();
      DisposableServer admin = AdminServer.bind(runtime.loopResources(), config.adminListen(), meters, ready, adminRoutes);
      resources.add(() -> admin.disposeNow(Duration.ofSeconds(5)));
      if (adminSocket != null) {
        DisposableServer socket = AdminServer.bindSocket(runtime.loopResources(), adminSocket, meters, ready, adminRoutes);
        resources.add(() -> socket.disposeNow(Duration.ofSeconds(5)));
      }
      if (packetRules != null) {
        if (!packetRules.bridgeGuard()) {
          log.warn("--no-bridge-guard: containers are known by their source address alone, which a neighbour with "
              + "NET_RAW (Docker's default) can forge on the bridge");
        }
        int connections = packetRules.maxPacketsPerCaller() == 0 ? 0 : config.maxConnectionsPerCaller();
        resources.add(PacketRules.install(address(server), connections, packetRules.maxPacketsPerCaller(),
            config.dockerHost(), loops, packetRules.interfaces(), guarded));
      }
      log.info("Berth proxy listening on {} (admin on {}), upstream {}, IMDSv2 {}", server.address(),
          admin.address(), config.local() ? "embedded (local mode)" : config.upstream() == null ? "disabled" : config.upstream(),
          config.tokenRequired() ? "required" : "optional");
      return new BerthProxy(resources, server, admin, meters, decisions);
    }

    private Mono<Integer> warmUp(HttpServer copy, PrometheusMeterRegistry meters) {
      Counter requests = Counter.builder("berth.warmup.requests")
          .description("Requests the proxy sent a copy of its metadata server on loopback before it said ready").register(meters);
      long started = System.nanoTime();
      CredentialSource source = warmUpCredentials != null ? warmUpCredentials
          : WarmUp.localCredentials(config.sessionDuration(), clock);
      return WarmUp.run(copy, source, clock)
          .timeout(WarmUp.LIMIT)
          .doOnNext(answered -> {
            requests.increment(answered);
            log.info("warmed up the request path: {} requests on loopback in {} ms", answered,
                Duration.ofNanos(System.nanoTime() - started).toMillis());
          })
          .onErrorResume(error -> {
            log.warn("warm-up failed ({}); ready without it, the first requests may be slow", error.toString());
            return Mono.empty();
          });
    }

    private static CredentialSource counted(CredentialSource source, PrometheusMeterRegistry meters) {
      Counter ok = Counter.builder("berth.sts.calls").description(STS_CALLS).tag("outcome", "success").register(meters);
      Timer latency = Timer.builder("berth.sts.latency").description("Time to fetch credentials (STS AssumeRole)")
          .publishPercentileHistogram().register(meters);
      return binding -> Mono.defer(() -> {
        Timer.Sample started = Timer.start(meters);
        return source.fetch(binding).doFinally(signal -> started.stop(latency));
      })
          .doOnSuccess(c -> ok.increment())
          .doOnError(CredentialException.class, e -> Counter.builder("berth.sts.calls").description(STS_CALLS)
              .tag("outcome", e.code()).register(meters).increment());
    }

    private static InetSocketAddress address(DisposableServer server) {
      return (InetSocketAddress) server.address();
    }
  }
}
