package dev.berth.testing;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Answers Docker Engine API requests from a {@link DockerWorld}: the protocol side of {@link
 * DockerEngineEmulator} without the server.
 *
 * <p>Design notes: paths arrive without their {@code /v1.xx} prefix ({@link #withoutVersion}); the
 * version itself is checked against the engine's range first, as the engine's middleware does.
 * Everything is answered from memory on the event loop; only {@code /events} stays open, streaming
 * one JSON document a line from the subscriber's own queue.
 */
final class DockerHandler {

  /** An answer other than 200, with the engine's {@code {"message": ...}} body. */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    Failure(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private static final Pattern VERSIONED = Pattern.compile("/v(\\d+)\\.(\\d+)(/.*)");
  private static final Pattern CONTAINER = Pattern.compile("/containers/([^/]+)/json");
  private static final Pattern NETWORK = Pattern.compile("/networks/([^/]+)");
  private static final Set<String> LIST_FILTERS = Set.of("status", "label", "id", "name", "network");
  private static final Set<String> EVENT_FILTERS = Set.of("type", "event", "container", "network", "label");
  private static final Set<String> STATUSES =
      Set.of("created", "restarting", "running", "removing", "paused", "exited", "dead");
  private static final String JSON = "application/json";

  private final DockerWorld world;
  private final Clock clock;

  DockerHandler(DockerWorld world, Clock clock) {
    this.world = world;
    this.clock = clock;
  }

  /** {@code /v1.41/containers/json} → {@code /containers/json}; other paths as they are. */
  static String withoutVersion(String path) {
    Matcher versioned = VERSIONED.matcher(path);
    return versioned.matches() ? versioned.group(3) : path;
  }

  Publisher<Void> serve(String path, RecordedRequest request, HttpServerResponse response) {
    QueryStringDecoder query = new QueryStringDecoder(request.uri());
    try {
      checkVersion(query.rawPath());
      String method = request.method();
      if (path.equals("/_ping") && (method.equals("GET") || method.equals("HEAD"))) {
        response.header(HttpHeaderNames.CACHE_CONTROL, "no-cache, no-store, must-revalidate").header("Pragma", "no-cache");
        return send(response, 200, "text/plain; charset=utf-8", "OK");
      }
      if (!method.equals("GET")) {
        throw new Failure(404, "page not found");
      }
      if (path.equals("/version")) {
        return send(response, 200, JSON, DockerJson.version());
      }
      if (path.equals("/containers/json")) {
        return send(response, 200, JSON, list(query));
      }
      if (path.equals("/networks")) {
        JsonWriter json = new JsonWriter().beginArray();
        world.networks().forEach(network -> DockerJson.network(json, network));
        return send(response, 200, JSON, json.endArray() + "\n");
      }
      if (path.equals("/events")) {
        return events(query, response);
      }
      Matcher container = CONTAINER.matcher(path);
      if (container.matches()) {
        String id = decode(container.group(1));
        DockerContainer found = world.container(id).orElseThrow(() -> new Failure(404, "No such container: " + id));
        return send(response, 200, JSON, DockerJson.inspect(found, world.bridge()));
      }
      Matcher network = NETWORK.matcher(path);
      if (network.matches()) {
        String id = decode(network.group(1));
        DockerNetwork found = world.network(id).orElseThrow(() -> new Failure(404, "network " + id + " not found"));
        JsonWriter json = new JsonWriter();
        DockerJson.network(json, found);
        return send(response, 200, JSON, json + "\n");
      }
      throw new Failure(404, "page not found");
    } catch (Failure failure) {
      return send(response, failure.status, JSON, DockerJson.error(failure.getMessage()));
    }
  }

  private String list(QueryStringDecoder query) {
    DockerFilters filters = DockerFilters.parse(parameter(query, "filters"), LIST_FILTERS);
    for (String status : filters.values("status")) {
      if (!STATUSES.contains(status)) {
        throw new Failure(400, "Invalid filter 'status=" + status + "'");
      }
    }
    // As the engine does: a status filter looks at stopped containers too.
    boolean all = "1".equals(parameter(query, "all")) || "true".equals(parameter(query, "all")) || filters.has("status");
    DockerNetwork bridge = world.bridge();
    JsonWriter json = new JsonWriter().beginArray();
    for (DockerContainer c : world.containers()) {
      boolean listed = (all || c.running())
          && filters.exact("status", c.status())
          && filters.fuzzy("id", c.id())
          && (!filters.has("name") || filters.values("name").stream().anyMatch(n -> ("/" + c.name()).contains(n)))
          && (!filters.has("network") || c.running()
              && (filters.exact("network", bridge.name()) || filters.exact("network", bridge.id())))
          && filters.labels(c.labels());
      if (listed) {
        DockerJson.summary(json, c, bridge, clock);
      }
    }
    return json.endArray() + "\n";
  }

  private Publisher<Void> events(QueryStringDecoder query, HttpServerResponse response) {
    DockerFilters filters = DockerFilters.parse(parameter(query, "filters"), EVENT_FILTERS);
    Predicate<DockerEvent> accepted = e -> filters.exact("type", e.type())
        && filters.exact("event", e.action())
        && (!filters.has("container") || filters.fuzzy("container", e.actorId())
            || filters.fuzzy("container", e.attributes().get("name")))
        && (!filters.has("network") || filters.fuzzy("network", e.actorId())
            || filters.fuzzy("network", e.attributes().get("name")))
        && filters.labels(e.attributes());
    headers(response.status(200).header(HttpHeaderNames.CONTENT_TYPE, JSON));
    // The headers go out at once, as the engine flushes them: a client's stream is open before any event.
    return response.sendHeaders()
        .sendString(world.events(accepted).map(DockerJson::event), StandardCharsets.UTF_8)
        .then();
  }

  private static void checkVersion(String rawPath) {
    Matcher versioned = VERSIONED.matcher(rawPath);
    if (!versioned.matches()) {
      return;
    }
    String asked = versioned.group(1) + "." + versioned.group(2);
    if (compare(asked, DockerEngineEmulator.API_VERSION) > 0) {
      throw new Failure(400, "client version " + asked + " is too new. Maximum supported API version is "
          + DockerEngineEmulator.API_VERSION);
    }
    if (compare(asked, DockerEngineEmulator.MIN_API_VERSION) < 0) {
      throw new Failure(400, "client version " + asked + " is too old. Minimum supported API version is "
          + DockerEngineEmulator.MIN_API_VERSION + ", please upgrade your client to a newer version");
    }
  }

  private static int compare(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    int major = Integer.compare(Integer.parseInt(x[0]), Integer.parseInt(y[0]));
    return major != 0 ? major : Integer.compare(Integer.parseInt(x[1]), Integer.parseInt(y[1]));
  }

  private static String parameter(QueryStringDecoder query, String name) {
    List<String> values = query.parameters().get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  private static String decode(String segment) {
    return QueryStringDecoder.decodeComponent(segment);
  }

  private static Mono<Void> send(HttpServerResponse response, int status, String contentType, String body) {
    headers(response);
    return EmulatorServer.send(response, status, contentType, Map.of(), body.getBytes(StandardCharsets.UTF_8));
  }

  private static HttpServerResponse headers(HttpServerResponse response) {
    return response.header("Api-Version", DockerEngineEmulator.API_VERSION)
        .header("Docker-Experimental", "false")
        .header("Ostype", "linux")
        .header(HttpHeaderNames.SERVER, "Docker/" + DockerEngineEmulator.ENGINE_VERSION + " (linux)");
  }
}
