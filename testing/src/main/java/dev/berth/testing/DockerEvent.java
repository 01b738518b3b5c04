package dev.berth.testing;

import java.time.Instant;
import java.util.Map;

/**
 * One message of the engine's events stream.
 *
 * @param type {@code container} or {@code network}
 * @param action e.g. {@code start}, {@code die}, {@code connect}
 * @param actorId the container's or the network's id
 * @param from the container's image; {@code null} for network events, which carry none
 * @param attributes the actor's attributes: a container's name, image and labels; a network's
 *     name and type, and the container that connected or disconnected
 * @param time when it happened
 */
record DockerEvent(String type, String action, String actorId, String from, Map<String, String> attributes,
    Instant time) {}
