package dev.berth.testing;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A container as the emulated Docker engine keeps it; replaced, never changed, when it stops.
 *
 * @param serial creation order, for listings (newest first, as the engine lists)
 * @param id 64 hex digits
 * @param name without the leading {@code /} the API adds
 * @param image the image reference it was run from
 * @param ipAddress its IPv4 address on the default bridge network, or empty
 * @param ipv6Address its global IPv6 address there, or empty
 * @param labels its labels
 * @param env its environment, {@code NAME=value} entries in order
 * @param created when it was created
 * @param started when it started
 * @param finished when it stopped, or {@code null} while it runs
 * @param exitCode its exit code once stopped
 * @param pid its process id while it runs
 */
record DockerContainer(
    long serial,
    String id,
    String name,
    String image,
    String ipAddress,
    String ipv6Address,
    Map<String, String> labels,
    List<String> env,
    Instant created,
    Instant started,
    Instant finished,
    int exitCode,
    int pid) {

  static final List<String> COMMAND = List.of("sleep", "infinity");

  boolean running() {
    return finished == null;
  }

  /** The engine's {@code State.Status}. */
  String status() {
    return running() ? "running" : "exited";
  }

  String shortId() {
    return id.substring(0, 12);
  }

  DockerContainer stopped(Instant at, int code) {
    return new DockerContainer(serial, id, name, image, ipAddress, ipv6Address, labels, env, created, started, at, code, 0);
  }
}
