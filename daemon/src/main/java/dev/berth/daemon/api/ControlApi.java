package dev.berth.daemon.api;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.function.Consumer;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * The daemon's control API on the admin listener (and {@code --admin-socket}): JSON over HTTP,
 * versioned under {@code /v1}. Each resource is one file of routes ({@link ApiRoutes}); a path
 * under {@code /v1} that none of them knows is answered {@code 404 {"code": "not_found"}}.
 */
public final class ControlApi {

  private ControlApi() {}

  /** A resource that is switched off: every path under {@code prefix} answers 404 with {@code code} and the fix. */
  public static ApiRoutes off(String prefix, String code, String message) {
    return routes -> routes.route(request -> request.path().equals(prefix.substring(1))
            || request.path().startsWith(prefix.substring(1) + "/"),
        (request, response) -> Answers.error(response, HttpResponseStatus.NOT_FOUND, code, message));
  }

  /** The routes of {@code resources}, then the {@code /v1} fallback. */
  public static Consumer<HttpServerRoutes> routes(List<ApiRoutes> resources) {
    return routes -> {
      resources.forEach(resource -> resource.register(routes));
      routes.route(request -> request.uri().startsWith("/v1/") || request.uri().equals("/v1"),
          (request, response) -> Answers.error(response, HttpResponseStatus.NOT_FOUND, "not_found",
              request.method() + " " + request.path() + " is not part of the control API (see the README's \"Control API\")"));
    };
  }
}
