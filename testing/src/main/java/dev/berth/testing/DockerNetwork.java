package dev.berth.testing;

import java.time.Instant;
import java.util.Map;

/**
 * A network as the emulated Docker engine keeps it.
 *
 * @param id 64 hex digits
 * @param name e.g. {@code bridge}
 * @param driver {@code bridge}, {@code host} or {@code null} (the engine's name for "none")
 * @param subnet its IPv4 subnet, or empty
 * @param gateway the gateway in {@code subnet}, or empty
 * @param options the driver options, e.g. {@code com.docker.network.bridge.name}
 * @param created when it was created
 */
record DockerNetwork(String id, String name, String driver, String subnet, String gateway, Map<String, String> options,
    Instant created) {}
