package dev.berth.iptables;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;

/**
 * One event of a Docker engine's events stream: its {@code Type} ({@code container}, {@code network},
 * …), {@code Action} ({@code start}, {@code connect}, …), the {@code Actor}'s id and attributes (a
 * container's labels and name; for a network event, the {@code container} it concerns), and the
 * engine's time stamp in nanoseconds since the epoch (0 when absent).
 */
public record EngineEvent(String type, String action, String actorId, Map<String, String> attributes, long timeNano) {

  /** The first element of every stream, once the engine has accepted it. */
  public static final EngineEvent CONNECTED = new EngineEvent("", "connected", "", Map.of(), 0L);

  public EngineEvent {
    attributes = Map.copyOf(attributes);
  }

  static EngineEvent of(JsonNode event) {
    JsonNode actor = event.path("Actor");
    Map<String, String> attributes = new HashMap<>();
    actor.path("Attributes").properties().forEach(field -> attributes.put(field.getKey(), field.getValue().asText()));
    // "id" is the older name of a container event's actor, still written for containers.
    String actorId = actor.path("ID").asText(event.path("id").asText(""));
    return new EngineEvent(event.path("Type").asText(""), event.path("Action").asText(""), actorId, attributes,
        event.path("timeNano").asLong(0L));
  }
}
