package dev.berth.runtime;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.resources.LoopResources;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.waiters.WaiterResponse;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.waiters.Ec2AsyncWaiter;
import software.amazon.awssdk.services.sts.StsAsyncClient;

/*
 * Design notes. Berth is one event loop: the metadata server, the pass-through client, the STS
 * client, the EC2 client of the group controllers and the encryption jobs all run on the same
 * threads, so a host pays for one set of loops and nothing hands work between pools. This class is
 * the only place that makes that loop and the clients on it; the proxy, the provisioner and the
 * encryptor receive them. The SDK clients are made on first use: a daemon that runs no group and
 * no job never builds (or loads the classes of) an EC2 client.
 */

/**
 * The resources every Berth component runs on: one Netty event loop group (the caller's, or one
 * made here), a Prometheus meter registry, the daemon's own AWS credentials, and the AWS SDK async
 * clients (STS, EC2) whose HTTP clients run on that loop and complete their futures there.
 *
 * <pre>{@code
 * try (BerthRuntime runtime = BerthRuntime.builder()
 *     .loopResources(myLoop)          // or leave out: one loop of Berth's own
 *     .region("us-west-2")
 *     .build()) {
 *   StsAsyncClient sts = runtime.sts();
 *   HttpServer.create().runOn(runtime.loopResources()) ...
 * }
 * }</pre>
 *
 * <p>Continuations of the clients' futures run on the loop: they must not block.
 */
public final class BerthRuntime implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BerthRuntime.class);

  private final LoopResources loopResources;
  private final EventLoopGroup eventLoop;
  private final boolean ownsLoop;
  private final PrometheusMeterRegistry meters;
  private final JvmGcMetrics jvmGc = new JvmGcMetrics();
  private final Scheduler scheduler;
  private final HostCredentials hostCredentials;
  private final String region;
  private final URI stsEndpoint;
  private final URI ec2Endpoint;
  private final int ec2MaxAttempts;
  private final Lazy<StsAsyncClient> sts;
  private final Lazy<Ec2AsyncClient> ec2;
  private final Lazy<EventLoopGroup> ec2Io;

  private BerthRuntime(Builder builder) {
    this.ownsLoop = builder.loopResources == null;
    this.eventLoop = ownsLoop ? Transports.newLoop(builder.ioThreads, new DefaultThreadFactory("berth-loop", true))
        : Transports.checked(builder.loopResources.onServer(true));
    this.loopResources = ownsLoop ? useNative -> eventLoop : builder.loopResources;
    // Never disposed: disposing it would shut the loop down, which close() does (or its owner).
    this.scheduler = Schedulers.fromExecutorService(eventLoop, "berth-loop");
    this.meters = builder.meters != null ? builder.meters : withJvmMeters(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    this.hostCredentials = HostCredentials.of(builder.hostCredentials != null ? builder.hostCredentials
        : HostCredentials.defaultChain());
    this.region = builder.region;
    this.stsEndpoint = builder.stsEndpoint;
    this.ec2Endpoint = builder.ec2Endpoint;
    this.ec2MaxAttempts = builder.ec2MaxAttempts;
    this.sts = new Lazy<>(() -> AwsClients.sts(eventLoop, region, stsEndpoint, hostCredentials));
    this.ec2Io = new Lazy<>(() -> Transports.newLoop(1, new DefaultThreadFactory("berth-ec2-io", true)));
    this.ec2 = new Lazy<>(() -> AwsClients.ec2(ec2Io.get(), eventLoop, region, ec2Endpoint, ec2MaxAttempts,
        hostCredentials));
  }

  /** A builder; every setting has a default. */
  public static Builder builder() {
    return new Builder();
  }

  /** The loop as Reactor Netty takes it: {@code HttpServer.create().runOn(runtime.loopResources())}. */
  public LoopResources loopResources() {
    return loopResources;
  }

  /** The one event loop group everything runs on. */
  public EventLoopGroup eventLoop() {
    return eventLoop;
  }

  /** Whether {@code thread} is one of the loop's threads. */
  public boolean isLoopThread(Thread thread) {
    for (var executor : eventLoop) {
      if (executor.inEventLoop(thread)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A Reactor scheduler over {@link #eventLoop()}: where pipelines run their steps (group rounds,
   * encryption runs), next to the requests the loop serves. Nothing scheduled on it may block.
   */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** The JVM's memory, GC pauses, threads, classes, CPU, uptime and file descriptors, as /metrics promises them. */
  private PrometheusMeterRegistry withJvmMeters(PrometheusMeterRegistry registry) {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    jvmGc.bindTo(registry);
    return registry;
  }

  /** The registry every component records its meters in; {@code /metrics} scrapes it. */
  public PrometheusMeterRegistry meters() {
    return meters;
  }

  /** The daemon's own AWS credentials, resolved off the loop. */
  public HostCredentials hostCredentials() {
    return hostCredentials;
  }

  /** The STS client on the loop, made on first use. */
  public StsAsyncClient sts() {
    return sts.get();
  }

  /** The EC2 client on the loop, made on first use. */
  public Ec2AsyncClient ec2() {
    return ec2.get();
  }

  /**
   * One wait of the SDK's EC2 waiters over {@link #ec2()}, scheduled on the loop, stopped when the
   * {@link Mono} is cancelled ({@link Ec2Waiters#await}); bound it with {@link Ec2Waiters#until}.
   *
   * @param wait starts the wait on the waiter it is given
   * @param <T> the response the waiter polls with
   * @return the waiter's response, on subscription
   */
  public <T> Mono<WaiterResponse<T>> awaitEc2(Function<Ec2AsyncWaiter, CompletableFuture<WaiterResponse<T>>> wait) {
    return Ec2Waiters.await(ec2(), eventLoop, wait);
  }

  /** The region the clients use, or {@code null} for the SDK's region chain. */
  public String region() {
    return region;
  }

  /**
   * Closes the clients made here, then the loop when it is the runtime's own (a caller's
   * {@link LoopResources} are the caller's to dispose).
   */
  @Override
  public void close() {
    List<AutoCloseable> parts = new ArrayList<>();
    ec2.ifMade(parts::add);
    ec2Io.ifMade(io -> parts.add(() -> io.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly()));
    sts.ifMade(parts::add);
    parts.add(jvmGc::close);
    parts.add(meters::close);
    for (AutoCloseable part : parts) {
      try {
        part.close();
      } catch (Exception e) {
        log.warn("while stopping: {}", e.toString());
      }
    }
    // The quiet period lets the SDK's channel pools finish closing on the loop before it stops.
    if (ownsLoop && !eventLoop.shutdownGracefully(100, 2_000, TimeUnit.MILLISECONDS)
        .awaitUninterruptibly(Duration.ofSeconds(5).toMillis())) {
      log.warn("while stopping: the event loop did not stop within 5 s");
    }
  }

  /**
   * Loop resources of {@code threads} event loops that both Reactor Netty and the AWS SDK run on
   * (epoll where the kernel offers it, else NIO), for a caller who wants one loop for its own
   * servers and Berth; the caller disposes them.
   */
  public static LoopResources newLoopResources(int threads) {
    EventLoopGroup group = Transports.newLoop(threads, new DefaultThreadFactory("loop", true));
    return new LoopResources() {
      @Override
      public EventLoopGroup onServer(boolean useNative) {
        return group;
      }

      @Override
      public reactor.core.publisher.Mono<Void> disposeLater(Duration quietPeriod, Duration timeout) {
        return reactor.core.publisher.Mono.create(sink -> group.shutdownGracefully(quietPeriod.toMillis(), timeout.toMillis(),
            TimeUnit.MILLISECONDS).addListener(done -> sink.success()));
      }

      @Override
      public boolean isDisposed() {
        return group.isShutdown();
      }
    };
  }

  /** Settings of a {@link BerthRuntime}. */
  public static final class Builder {
    private LoopResources loopResources;
    private int ioThreads = 1;
    private PrometheusMeterRegistry meters;
    private AwsCredentialsProvider hostCredentials;
    private String region;
    private URI stsEndpoint;
    private URI ec2Endpoint;
    private int ec2MaxAttempts = 3;

    private Builder() {}

    /**
     * Runs everything on the caller's loop ({@code loopResources.onServer(true)}); the caller
     * disposes it after closing the runtime. It must be an {@code EpollEventLoopGroup} or a
     * {@code NioEventLoopGroup}, the only groups the AWS SDK runs on (see {@link #newLoopResources}).
     */
    public Builder loopResources(LoopResources loopResources) {
      this.loopResources = Objects.requireNonNull(loopResources, "loopResources");
      return this;
    }

    /** Threads of the runtime's own loop when no {@link #loopResources} are given (default 1). */
    public Builder ioThreads(int ioThreads) {
      if (ioThreads < 1 || ioThreads > 64) {
        throw new IllegalArgumentException("--io-threads must be 1..64, was " + ioThreads);
      }
      this.ioThreads = ioThreads;
      return this;
    }

    /** Records meters in {@code meters} instead of a registry of the runtime's own. */
    public Builder meters(PrometheusMeterRegistry meters) {
      this.meters = Objects.requireNonNull(meters, "meters");
      return this;
    }

    /** The daemon's own credentials (default: the SDK's chain), always resolved off the loop. */
    public Builder hostCredentials(AwsCredentialsProvider hostCredentials) {
      this.hostCredentials = Objects.requireNonNull(hostCredentials, "hostCredentials");
      return this;
    }

    /** The AWS region, or {@code null} (default) for the SDK's region chain. */
    public Builder region(String region) {
      this.region = region;
      return this;
    }

    /** The STS endpoint, or {@code null} (default) for the region's. */
    public Builder stsEndpoint(URI stsEndpoint) {
      this.stsEndpoint = stsEndpoint;
      return this;
    }

    /** The EC2 endpoint (any EC2-compatible one), or {@code null} (default) for the region's. */
    public Builder ec2Endpoint(URI ec2Endpoint) {
      this.ec2Endpoint = ec2Endpoint;
      return this;
    }

    /**
     * Attempts per EC2 call including the first (default 3; 1 disables the SDK's retries). Retries
     * of {@code RunInstances} reuse its client token, so they never launch twice.
     */
    public Builder ec2MaxAttempts(int ec2MaxAttempts) {
      if (ec2MaxAttempts < 1) {
        throw new IllegalArgumentException("EC2 max attempts must be at least 1, got " + ec2MaxAttempts);
      }
      this.ec2MaxAttempts = ec2MaxAttempts;
      return this;
    }

    /** Makes the loop (unless given); the clients are made on first use. */
    public BerthRuntime build() {
      return new BerthRuntime(this);
    }
  }

  /** A value made once, on first use, by whichever thread asks first. */
  private static final class Lazy<T> {
    private final Supplier<T> make;
    private volatile T value;

    Lazy(Supplier<T> make) {
      this.make = make;
    }

    T get() {
      T made = value;
      if (made == null) {
        synchronized (this) {
          made = value;
          if (made == null) {
            value = made = make.get();
          }
        }
      }
      return made;
    }

    void ifMade(java.util.function.Consumer<T> action) {
      T made = value;
      if (made != null) {
        action.accept(made);
      }
    }
  }
}
