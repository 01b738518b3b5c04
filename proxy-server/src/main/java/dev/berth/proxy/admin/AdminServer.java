package dev.berth.proxy.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRoutes;
import reactor.netty.resources.LoopResources;

/**
 * The operator's endpoints, on their own address: {@code /healthz} (the process answers),
 * {@code /readyz} (the container index is filled and the proxy listens), {@code /metrics}
 * (Prometheus text format), and whatever routes the daemon adds (its control API).
 */
public final class AdminServer {

  private AdminServer() {}

  /** Binds the admin endpoints on {@code address}. */
  public static DisposableServer bind(LoopResources loop, InetSocketAddress address, PrometheusMeterRegistry registry,
      BooleanSupplier ready, Consumer<HttpServerRoutes> more) {
    return server(loop, address, registry, ready, more).bindNow();
  }

  /**
   * Binds the admin endpoints on a unix socket at {@code path}, mode 0600 before anyone can reach
   * it: the socket is made in a directory only the owner may enter, narrowed to 0600 there and only
   * then renamed into place (replacing a stale socket left by a daemon that died). The socket file
   * is removed when the returned server is disposed.
   */
  public static DisposableServer bindSocket(LoopResources loop, Path path, PrometheusMeterRegistry registry,
      BooleanSupplier ready, Consumer<HttpServerRoutes> more) {
    Path absolute = path.toAbsolutePath();
    try {
      Path staging = Files.createTempDirectory(absolute.getParent(), ".berth-admin-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path made = staging.resolve("socket");
      DisposableServer server;
      try {
        server = server(loop, new DomainSocketAddress(made.toFile()), registry, ready, more).bindNow();
        Files.setPosixFilePermissions(made, PosixFilePermissions.fromString("rw-------"));
        Files.move(made, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(made);
        Files.deleteIfExists(staging);
      }
      server.onDispose(() -> {
        try {
          Files.deleteIfExists(absolute);
        } catch (IOException ignored) {
          // a socket file left behind is replaced at the next start
        }
      });
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("--admin-socket " + path + ": " + e.getMessage(), e);
    }
  }

  private static HttpServer server(LoopResources loop, SocketAddress address, PrometheusMeterRegistry registry,
      BooleanSupplier ready, Consumer<HttpServerRoutes> more) {
    return HttpServer.create()
        .runOn(loop)
        .bindAddress(() -> address)
        .route(routes -> {
          routes.get("/healthz", (request, response) -> response.sendString(Mono.just("ok\n")))
              .get("/readyz", (request, response) -> ready.getAsBoolean()
                  ? response.sendString(Mono.just("ready\n"))
                  : response.status(HttpResponseStatus.SERVICE_UNAVAILABLE).sendString(Mono.just("not ready\n")))
              .get("/metrics", (request, response) -> response
                  .header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                  .sendString(Mono.fromSupplier(registry::scrape)));
          more.accept(routes);
        });
  }
}
