package dev.berth.daemon.api;

import reactor.netty.http.server.HttpServerRoutes;

/** One resource of the control API: its routes, registered on the admin listener. */
@FunctionalInterface
public interface ApiRoutes {

  /** Adds this resource's routes. */
  void register(HttpServerRoutes routes);
}
