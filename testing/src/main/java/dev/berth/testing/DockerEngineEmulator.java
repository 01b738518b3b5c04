package dev.berth.testing;

import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Docker engine that speaks the Engine API (version {@value #API_VERSION}) on a unix socket, as
 * far as a client that indexes containers needs it, for tests and benchmarks that run a real Docker
 * client (docker-java, the Docker CLI, curl) without a real engine.
 *
 * <p>It answers {@code GET /_ping}, {@code /version}, {@code /containers/json} (with {@code all}
 * and the {@code status}, {@code label}, {@code id}, {@code name} and {@code network} filters),
 * {@code /containers/{id}/json} (by id, name or unique id prefix; 404 {@code No such container}
 * otherwise), {@code /networks}, {@code /networks/{id}} and {@code /events}, each also under a
 * {@code /v1.xx} prefix within the engine's range. The events stream stays open (chunked, one JSON
 * document a line) and carries what happens after the request, with the {@code type},
 * {@code event}, {@code container}, {@code network} and {@code label} filters; {@code since} and
 * {@code until} are ignored. Anything else answers 404 {@code page not found}.
 *
 * <p>The test decides what runs: {@link #run} starts a container on the default bridge network
 * with the given address, announcing it as {@code docker run} does ({@code create}, network
 * {@code connect}, {@code start}); {@link #stop} stops it as {@code docker stop} does ({@code kill},
 * {@code die}, network {@code disconnect}, {@code stop}); a stopped container stays inspectable
 * (not running) until {@link #remove}d ({@code destroy}). The documents carry the members the
 * engine writes, so a client's model parses them as it parses the real ones.
 *
 * <pre>{@code
 * try (DockerEngineEmulator docker = DockerEngineEmulator.builder().socket(dir.resolve("docker.sock")).start()) {
 *   String id = docker.run("web", "198.18.0.2",
 *       Map.of("com.swipely.iam-docker.iam-profile", "app"), Map.of("IAM_ROLE", "app"));
 *   // point the client at docker.dockerHost(), e.g. unix:///tmp/junit123/docker.sock, then:
 *   docker.stop(id);
 *   assertThat(docker.requests("/containers/" + id + "/json")).isPositive();
 * }
 * }</pre>
 *
 * <p>Every method may be called from any thread; changes are announced in the order they were made.
 */
public final class DockerEngineEmulator implements AutoCloseable {

  /** The newest Engine API version the emulator speaks: {@value}, Docker 20.10's. */
  public static final String API_VERSION = "1.41";
  /** The oldest API version it accepts in a path prefix: {@value}. */
  public static final String MIN_API_VERSION = "1.12";
  /** The engine version it reports: {@value}, Debian 12's {@code docker.io}. */
  public static final String ENGINE_VERSION = "20.10.24";

  // Linux's sun_path holds 108 bytes, the last one a NUL.
  private static final int MAX_SOCKET_PATH = 107;

  private final DockerWorld world;
  private final RequestLog log = new RequestLog();
  private final EmulatorServer server;
  private final String dockerHost;

  private DockerEngineEmulator(Builder builder) {
    this.world = new DockerWorld(builder.clock);
    DockerHandler handler = new DockerHandler(world, builder.clock);
    this.server = EmulatorServer.bindRecording(builder, log, DockerHandler::withoutVersion, handler::serve);
    SocketAddress bound = server.address();
    this.dockerHost = bound instanceof DomainSocketAddress socket
        ? "unix://" + Path.of(socket.path()).toAbsolutePath()
        : "tcp://" + Text.uriHost(((InetSocketAddress) bound).getHostString()) + ":" + ((InetSocketAddress) bound).getPort();
  }

  /**
   * A builder for an emulator on a unix socket (or, without one, on loopback TCP).
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Where clients reach the engine, in {@code DOCKER_HOST} form.
   *
   * @return {@code unix:///absolute/path.sock}, or {@code tcp://127.0.0.1:PORT} without a socket
   */
  public String dockerHost() {
    return dockerHost;
  }

  /**
   * Creates and starts a container of image {@value DockerLab#DEFAULT_IMAGE} (command
   * {@code sleep infinity}) on the default bridge network, and announces it: container
   * {@code create}, network {@code connect}, container {@code start}. It is running, and listed,
   * before the first of those events goes out.
   *
   * @param name the container's name, unique among all containers, e.g. {@code web-1}
   *     ({@code [a-zA-Z0-9][a-zA-Z0-9_.-]+})
   * @param ipAddress its address: an IPv4 literal ({@code IPAddress}) or an IPv6 literal
   *     ({@code GlobalIPv6Address}); no other running container may have it. Nothing is bound
   *     or routed: it is only what the engine reports.
   * @param labels its labels, e.g. {@code com.swipely.iam-docker.iam-profile}
   * @param env its environment ({@code Config.Env} lists it as {@code NAME=value}, in the map's order)
   * @return the new container's id, 64 hex digits
   * @throws IllegalArgumentException if the name is taken or invalid, or the address is not a
   *     literal or is in use
   */
  public String run(String name, String ipAddress, Map<String, String> labels, Map<String, String> env) {
    return world.run(Objects.requireNonNull(name, "name"), Objects.requireNonNull(ipAddress, "ipAddress"),
        Objects.requireNonNull(labels, "labels"), Objects.requireNonNull(env, "env"));
  }

  /**
   * Stops a running container, as {@code docker stop} does: events {@code kill}, {@code die}
   * (exit code 143), network {@code disconnect}, {@code stop}. It stays inspectable, not running,
   * and leaves the default listing. Stopping a stopped container does nothing (the engine's 304).
   *
   * @param idOrName the container's id, unique id prefix or name
   * @throws IllegalArgumentException if there is no such container
   */
  public void stop(String idOrName) {
    world.stop(Objects.requireNonNull(idOrName, "idOrName"));
  }

  /**
   * Removes a stopped container (event {@code destroy}); inspecting it answers 404 from then on.
   *
   * @param idOrName the container's id, unique id prefix or name
   * @throws IllegalArgumentException if there is no such container
   * @throws IllegalStateException if it is still running
   */
  public void remove(String idOrName) {
    world.remove(Objects.requireNonNull(idOrName, "idOrName"));
  }

  /**
   * Creates a user-defined bridge network (event network {@code create}), as {@code docker network
   * create NAME} does: its interface is {@code br-} and the first 12 digits of its id, and, as
   * there, its options do not name it. The engine starts with {@code bridge} ({@code docker0}),
   * {@code host} and {@code none}.
   *
   * @param name the network's name, unique
   * @return the network's id, 64 hex digits
   * @throws IllegalArgumentException if the name is taken or invalid
   */
  public String createNetwork(String name) {
    return world.createNetwork(Objects.requireNonNull(name, "name"));
  }

  /**
   * Removes a user-defined network (event network {@code destroy}).
   *
   * @param idOrName the network's id, unique id prefix or name
   * @throws IllegalArgumentException if there is no such network, or it is a pre-defined one
   */
  public void removeNetwork(String idOrName) {
    world.removeNetwork(Objects.requireNonNull(idOrName, "idOrName"));
  }

  /**
   * How many clients hold the events stream open. Once this counts a client, every later change
   * reaches it: a test can wait for it instead of sleeping.
   *
   * @return the open {@code /events} streams
   */
  public int eventSubscribers() {
    return world.subscribers();
  }

  /**
   * How many requests arrived, on any path.
   *
   * @return the count since start or the last {@link #reset()}
   */
  public int requests() {
    return log.requests();
  }

  /**
   * How many requests arrived for {@code path}, with or without a version prefix.
   *
   * @param path without the version prefix and the query, e.g. {@code /containers/json}
   * @return the count since start or the last {@link #reset()}
   */
  public int requests(String path) {
    return log.requests(Objects.requireNonNull(path, "path"));
  }

  /**
   * How many connections the server accepted.
   *
   * @return the count since start or the last {@link #reset()}
   */
  public int connections() {
    return log.connections();
  }

  /**
   * Every request, oldest first, with the URI as sent (version prefix and query included).
   *
   * @return an immutable snapshot since start or the last {@link #reset()}
   */
  public List<RecordedRequest> recordedRequests() {
    return log.recorded();
  }

  /** Forgets every count and recorded request; containers and networks stay as they are. */
  public void reset() {
    log.reset();
  }

  /**
   * Ends every events stream (clients see the engine close it), stops the server and removes the
   * socket file. Later changes throw {@link IllegalStateException}.
   */
  @Override
  public void close() {
    world.close();
    server.close();
  }

  @Override
  public String toString() {
    return "DockerEngineEmulator[" + dockerHost + "]";
  }

  /** Settings for a new {@link DockerEngineEmulator}; the socket is checked at {@link #start()}. */
  public static final class Builder extends EmulatorBuilder<Builder> {

    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * The unix socket to listen on, instead of a TCP {@code host} and {@code port} (which are then
     * ignored). The file must not exist yet (the emulator creates it, and removes it on
     * {@link DockerEngineEmulator#close()}), and its directory must.
     *
     * @param socket e.g. {@code tempDir.resolve("docker.sock")}; at most 107 bytes long
     * @return this builder
     */
    public Builder socket(Path socket) {
      this.socket = Objects.requireNonNull(socket, "socket");
      return this;
    }

    /**
     * The clock that stamps creation, start and stop times and events; the system UTC clock by
     * default.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Binds the server and returns the running emulator, with no containers.
     *
     * @return the emulator; close it when done
     * @throws IllegalStateException if the socket path is too long, exists already, or its
     *     directory does not
     */
    public DockerEngineEmulator start() {
      if (socket != null) {
        Path absolute = socket.toAbsolutePath();
        if (absolute.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
          throw new IllegalStateException("socket path " + absolute + " is longer than " + MAX_SOCKET_PATH
              + " bytes, which a unix socket cannot have; choose a shorter directory");
        }
        if (Files.exists(absolute)) {
          throw new IllegalStateException("socket path " + absolute + " exists already: remove it, or choose another");
        }
        if (absolute.getParent() == null || !Files.isDirectory(absolute.getParent())) {
          throw new IllegalStateException("the directory of socket path " + absolute + " does not exist");
        }
        socket = absolute;
      }
      return new DockerEngineEmulator(this);
    }
  }
}
