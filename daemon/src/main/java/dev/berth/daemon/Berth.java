package dev.berth.daemon;

import dev.berth.daemon.api.ControlApi;
import dev.berth.proxy.BerthProxy;
import dev.berth.proxy.PacketRuleSettings;
import dev.berth.proxy.ProxyConfig;
import dev.berth.runtime.BerthRuntime;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * Berth as one daemon, or embedded in a service of your own: the metadata proxy, on one event loop
 * shared with every AWS client.
 *
 * <pre>{@code
 * LoopResources loop = LoopResources.create("my-service", 1, true);
 * Berth berth = Berth.builder(config).loopResources(loop).build();
 * berth.start().block();
 * ...
 * berth.stop().block();
 * loop.disposeLater().block();
 * }</pre>
 */
public final class Berth {

  private static final Logger log = LoggerFactory.getLogger(Berth.class);

  private final Builder settings;
  private final Sinks.Empty<Void> stopped = Sinks.empty();
  private State state = State.NEW;
  private BerthRuntime runtime;
  private BerthProxy proxy;

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
    BerthRuntime.Builder runtimeSettings = BerthRuntime.builder().region(config.region()).stsEndpoint(config.stsEndpoint());
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
      builder.adminRoutes(ControlApi.routes(List.of()));
      proxy = builder.start();
    } catch (RuntimeException | Error e) {
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

    /** A daemon ready to {@link #start()}; nothing runs yet. */
    public Berth build() {
      return new Berth(this);
    }
  }
}
