package dev.berth.proxy.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The operator's endpoints, on their own address: {@code /healthz} (the process answers),
 * {@code /readyz} (the container index is filled and the proxy listens) and {@code /metrics}
 * (Prometheus text format).
 */
public final class AdminServer {

  private AdminServer() {}

  /** Binds the admin endpoints on {@code address}. */
  public static DisposableServer bind(
      EventLoopGroup loop, InetSocketAddress address, PrometheusMeterRegistry registry, BooleanSupplier ready) {
    return HttpServer.create()
        .runOn(loop)
        .bindAddress(() -> address)
        .route(routes -> routes
            .get("/healthz", (request, response) -> response.sendString(Mono.just("ok\n")))
            .get("/readyz", (request, response) -> ready.getAsBoolean()
                ? response.sendString(Mono.just("ready\n"))
                : response.status(HttpResponseStatus.SERVICE_UNAVAILABLE).sendString(Mono.just("not ready\n")))
            .get("/metrics", (request, response) -> response
                .header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .sendString(Mono.fromSupplier(registry::scrape))))
        .bindNow();
  }
}
