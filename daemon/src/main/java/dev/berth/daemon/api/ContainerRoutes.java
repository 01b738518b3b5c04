package dev.berth.daemon.api;

import static io.netty.handler.codec.http.HttpResponseStatus.OK;

import dev.berth.proxy.ContainerDecision;
import java.util.List;
import java.util.function.Supplier;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * {@code GET /v1/containers}: every container the proxy knows, the role it resolves to and why,
 * and the state of its credentials (expiry, last refresh, last error); never a key or a token.
 */
public final class ContainerRoutes implements ApiRoutes {

  private final Supplier<List<ContainerDecision>> containers;

  /** Routes over the proxy's view of its containers. */
  public ContainerRoutes(Supplier<List<ContainerDecision>> containers) {
    this.containers = containers;
  }

  @Override
  public void register(HttpServerRoutes routes) {
    routes.get("/v1/containers", (request, response) -> Answers.json(response, OK, containers.get()));
  }
}
