package dev.berth.testing;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectExecResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A test harness over the Docker engine of the "Docker lab" ({@code scripts/lab/up}): a dockerd
 * that runs inside its own network namespace with no route out, whose default bridge is {@code
 * 198.18.0.0/24} with the gateway {@code 198.18.0.1}.
 *
 * <p>Integration tests run inside that namespace too (failsafe starts them through {@code
 * scripts/lab/bin/java}), so a server the test binds on {@code 0.0.0.0} is reachable from every
 * container at {@link #bridgeGateway()}, and sees the container's own address as the source.
 *
 * <pre>{@code
 * try (DockerLab lab = DockerLab.connect()) {
 *   DockerLab.RunningContainer c = lab.start(DockerLab.ContainerSpec.named("app")
 *       .withLabel("com.swipely.iam-docker.iam-profile", "role/app")
 *       .withEnv("IAM_ROLE", "app"));
 *   DockerLab.ExecResult r = lab.exec(c, "wget", "-q", "-O-", "http://" + lab.bridgeGateway() + ":8080/");
 * }
 * }</pre>
 *
 * <p>Every call blocks (docker-java's transport is blocking): call it from the test thread, or from
 * {@code Schedulers.boundedElastic()}, never from an event loop. {@link #close()} removes every
 * container and network this instance created, even after failures. Everything it creates carries
 * the label {@value #LABEL}.
 */
public final class DockerLab implements AutoCloseable {

  /** The one line a test fails with when the lab is not there. */
  public static final String NOT_RUNNING =
      "Docker lab is not running: run scripts/lab/up (as root) first";

  /** The image {@code scripts/lab/up} imports: Debian's busybox-static, and nothing else. */
  public static final String DEFAULT_IMAGE = "berth/busybox:latest";

  /** Label put on every container and network a {@code DockerLab} creates. */
  public static final String LABEL = "dev.berth.lab";

  /** Where {@link ContainerSpec#mountHostRoot()} mounts the machine's root (read-only). */
  public static final String HOST_ROOT = "/host";

  /** Default bound of {@link #exec(RunningContainer, String...)}. */
  public static final Duration DEFAULT_EXEC_TIMEOUT = Duration.ofSeconds(60);

  private static final String DEFAULT_NETWORK = "bridge";
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration RESPONSE_TIMEOUT = Duration.ofMinutes(3);

  private final DockerClient client;
  private final URI dockerHost;
  private final String session;
  private final List<String> containers = Collections.synchronizedList(new ArrayList<>());
  private final List<String> networks = Collections.synchronizedList(new ArrayList<>());
  private volatile String bridgeGateway;
  private volatile boolean closed;

  private DockerLab(DockerClient client, URI dockerHost) {
    this.client = client;
    this.dockerHost = dockerHost;
    this.session = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
  }

  // ---------------------------------------------------------------------------------------------
  // Values

  /**
   * What to start. Build one with {@link #named(String)} and the {@code with*} methods; {@code
   * null} image, labels, env or command take the defaults ({@link #DEFAULT_IMAGE}, none, none,
   * {@code sleep 3600}).
   *
   * @param name container name, unique in the daemon ({@code null}: a generated {@code
   *     berth-lab-...} name)
   * @param image image reference
   * @param labels container labels
   * @param env environment variables
   * @param command the command (the container keeps running while it runs)
   * @param network a network name to start on ({@code null}: the default bridge, 198.18.0.0/24)
   * @param mountHostRoot mount the machine's {@code /} read-only at {@code /host} ({@code -v
   *     /:/host:ro}), so that {@code chroot /host /usr/bin/aws ...} runs the machine's own clients
   * @param restartAlways {@code --restart always}: the engine starts it again when it restarts
   */
  public record ContainerSpec(
      String name,
      String image,
      Map<String, String> labels,
      Map<String, String> env,
      List<String> command,
      String network,
      boolean mountHostRoot,
      boolean restartAlways) {

    public ContainerSpec {
      image = image == null || image.isBlank() ? DEFAULT_IMAGE : image;
      labels = labels == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(labels));
      env = env == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(env));
      command = command == null || command.isEmpty() ? List.of("sleep", "3600") : List.copyOf(command);
    }

    /** A busybox container called {@code name} running {@code sleep 3600} on the default bridge. */
    public static ContainerSpec named(String name) {
      return new ContainerSpec(name, null, null, null, null, null, false, false);
    }

    /** Like {@link #named(String)} with a generated, unique name. */
    public static ContainerSpec anonymous() {
      return named(null);
    }

    public ContainerSpec withImage(String newImage) {
      return new ContainerSpec(name, newImage, labels, env, command, network, mountHostRoot, restartAlways);
    }

    public ContainerSpec withLabel(String key, String value) {
      Map<String, String> copy = new LinkedHashMap<>(labels);
      copy.put(key, value);
      return new ContainerSpec(name, image, copy, env, command, network, mountHostRoot, restartAlways);
    }

    public ContainerSpec withEnv(String key, String value) {
      Map<String, String> copy = new LinkedHashMap<>(env);
      copy.put(key, value);
      return new ContainerSpec(name, image, labels, copy, command, network, mountHostRoot, restartAlways);
    }

    public ContainerSpec withCommand(String... newCommand) {
      return new ContainerSpec(name, image, labels, env, List.of(newCommand), network, mountHostRoot, restartAlways);
    }

    public ContainerSpec withNetwork(String newNetwork) {
      return new ContainerSpec(name, image, labels, env, command, newNetwork, mountHostRoot, restartAlways);
    }

    /** Mount the machine's {@code /} read-only at {@code /host}. */
    public ContainerSpec withHostRoot() {
      return new ContainerSpec(name, image, labels, env, command, network, true, restartAlways);
    }

    /** {@code --restart always}: started again when the engine restarts (and when it exits). */
    public ContainerSpec withRestartAlways() {
      return new ContainerSpec(name, image, labels, env, command, network, mountHostRoot, true);
    }
  }

  /**
   * A started container.
   *
   * @param id full container id
   * @param name container name (without the leading slash)
   * @param network the network it was started on ({@code bridge} for the default)
   * @param ipAddress its IPv4 address on {@code network}
   * @param ipAddresses its IPv4 address on every network it was attached to when inspected
   */
  public record RunningContainer(
      String id, String name, String network, String ipAddress, Map<String, String> ipAddresses) {

    public RunningContainer {
      ipAddresses = Map.copyOf(ipAddresses);
    }

    /** Its IPv4 address on {@code networkName}, or {@code null} if it is not attached there. */
    public String ipAddress(String networkName) {
      return ipAddresses.get(networkName);
    }
  }

  /** What a command run with {@link #exec} did; stdout and stderr are decoded as UTF-8. */
  public record ExecResult(int exitCode, String stdout, String stderr) {

    public boolean succeeded() {
      return exitCode == 0;
    }
  }

  /** A user-defined bridge network created by {@link #createNetwork(String)}. */
  public record LabNetwork(String id, String name, String subnet, String gateway) {}

  /** An exec that did not finish within its bound. */
  public static final class ExecTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ExecTimeoutException(String message) {
      super(message);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Connecting

  /**
   * Connects to the lab's dockerd named by the environment variable {@code DOCKER_HOST} (failsafe
   * sets it to {@code unix:///tmp/berth-lab/docker.sock}).
   *
   * @throws IllegalStateException with {@link #NOT_RUNNING} when {@code DOCKER_HOST} is unset or
   *     no engine answers there
   */
  public static DockerLab connect() {
    String host = System.getenv("DOCKER_HOST");
    if (host == null || host.isBlank()) {
      throw new IllegalStateException(NOT_RUNNING + " (DOCKER_HOST is not set)");
    }
    return connect(host);
  }

  /** Connects to the engine at {@code dockerHost}, e.g. {@code unix:///tmp/berth-lab/docker.sock}. */
  public static DockerLab connect(String dockerHost) {
    URI uri;
    try {
      uri = URI.create(dockerHost);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(NOT_RUNNING + " (DOCKER_HOST=" + dockerHost + " is not a URI)", e);
    }
    if ("unix".equals(uri.getScheme()) && !new java.io.File(uri.getPath()).exists()) {
      throw new IllegalStateException(NOT_RUNNING + " (no socket at " + uri.getPath() + ")");
    }
    DefaultDockerClientConfig.Builder config =
        DefaultDockerClientConfig.createDefaultConfigBuilder()
            .withDockerHost(dockerHost)
            .withDockerTlsVerify(false);
    // Unversioned API paths by default: the daemon answers with its own version (1.41 on
    // Debian 12's docker.io 20.10), which works with old and new engines alike.
    String apiVersion = System.getenv("DOCKER_API_VERSION");
    if (apiVersion != null && !apiVersion.isBlank()) {
      config.withApiVersion(apiVersion);
    }
    DefaultDockerClientConfig built = config.build();
    DockerHttpClient http =
        new ZerodepDockerHttpClient.Builder()
            .dockerHost(built.getDockerHost())
            .sslConfig(built.getSSLConfig())
            .maxConnections(32)
            .connectionTimeout(CONNECT_TIMEOUT)
            .responseTimeout(RESPONSE_TIMEOUT)
            .build();
    DockerClient client = DockerClientImpl.getInstance(built, http);
    try {
      client.pingCmd().exec();
    } catch (RuntimeException e) {
      closeQuietly(client);
      throw new IllegalStateException(
          NOT_RUNNING + " (no Docker engine answers at " + dockerHost + ": " + e.getMessage() + ")", e);
    }
    return new DockerLab(client, uri);
  }

  /** The raw docker-java client, for what this harness does not wrap. */
  public DockerClient client() {
    return client;
  }

  /** The engine this harness talks to. */
  public URI dockerHost() {
    return dockerHost;
  }

  /**
   * The gateway of the default bridge network ({@code 198.18.0.1} in the lab): an address of the
   * lab's namespace itself, where a container reaches a server that the test JVM binds on {@code
   * 0.0.0.0}.
   */
  public String bridgeGateway() {
    String gateway = bridgeGateway;
    if (gateway == null) {
      gateway = gatewayOf(client.inspectNetworkCmd().withNetworkId(DEFAULT_NETWORK).exec(), DEFAULT_NETWORK);
      bridgeGateway = gateway;
    }
    return gateway;
  }

  /**
   * Whether this JVM runs inside the lab's network namespace, i.e. owns {@link #bridgeGateway()}
   * as a local address. Failsafe runs {@code *IT} through {@code scripts/lab/bin/java}, so it is
   * {@code true} there; a plain {@code java} on the machine gets {@code false}.
   */
  public boolean jvmInsideLab() {
    try {
      return NetworkInterface.getByInetAddress(InetAddress.getByName(bridgeGateway())) != null;
    } catch (SocketException e) {
      throw new UncheckedIOException(e);
    } catch (IOException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Containers

  /**
   * Creates and starts a container, and returns it with its address. A leftover container of the
   * same name that a previous {@code DockerLab} created (one that was killed before its {@link
   * #close()}) is removed first; any other name clash fails.
   */
  public RunningContainer start(ContainerSpec spec) {
    Objects.requireNonNull(spec, "spec");
    ensureOpen();
    String name = spec.name() != null ? spec.name() : "berth-lab-" + session + "-" + containers.size();
    Map<String, String> labels = new LinkedHashMap<>(spec.labels());
    labels.put(LABEL, "true");
    labels.put(LABEL + ".session", session);
    List<String> env = new ArrayList<>();
    spec.env().forEach((k, v) -> env.add(k + "=" + v));
    HostConfig hostConfig = HostConfig.newHostConfig().withInit(true);
    if (spec.network() != null) {
      hostConfig.withNetworkMode(spec.network());
    }
    if (spec.mountHostRoot()) {
      hostConfig.withBinds(new Bind("/", new Volume(HOST_ROOT), AccessMode.ro));
    }
    if (spec.restartAlways()) {
      hostConfig.withRestartPolicy(RestartPolicy.alwaysRestart());
    }
    CreateContainerResponse created;
    try {
      created = create(spec, name, labels, env, hostConfig);
    } catch (ConflictException e) {
      removeStale(name, e);
      created = create(spec, name, labels, env, hostConfig);
    }
    String id = created.getId();
    containers.add(id);
    client.startContainerCmd(id).exec();
    return describe(id, spec.network() != null ? spec.network() : DEFAULT_NETWORK);
  }

  private CreateContainerResponse create(
      ContainerSpec spec, String name, Map<String, String> labels, List<String> env, HostConfig hostConfig) {
    return client
        .createContainerCmd(spec.image())
        .withName(name)
        .withLabels(labels)
        .withEnv(env)
        .withCmd(spec.command())
        .withHostConfig(hostConfig)
        .exec();
  }

  private void removeStale(String name, ConflictException cause) {
    InspectContainerResponse existing;
    try {
      existing = client.inspectContainerCmd(name).exec();
    } catch (NotFoundException gone) {
      return;
    }
    Map<String, String> labels = existing.getConfig().getLabels();
    if (labels == null || !"true".equals(labels.get(LABEL))) {
      throw cause;
    }
    client.removeContainerCmd(existing.getId()).withForce(true).withRemoveVolumes(true).exec();
  }

  /** Inspects {@code c} again (after a network connect or disconnect, say). */
  public RunningContainer refresh(RunningContainer c) {
    return describe(c.id(), c.network());
  }

  /** The full {@code docker inspect} of a container. */
  public InspectContainerResponse inspect(RunningContainer c) {
    return client.inspectContainerCmd(c.id()).exec();
  }

  private RunningContainer describe(String id, String network) {
    InspectContainerResponse info = client.inspectContainerCmd(id).exec();
    Map<String, String> addresses = new LinkedHashMap<>();
    Map<String, ContainerNetwork> attached = info.getNetworkSettings().getNetworks();
    if (attached != null) {
      attached.forEach((net, n) -> {
        if (n.getIpAddress() != null && !n.getIpAddress().isEmpty()) {
          addresses.put(net, n.getIpAddress());
        }
      });
    }
    String name = info.getName() != null && info.getName().startsWith("/") ? info.getName().substring(1) : info.getName();
    return new RunningContainer(id, name, network, addresses.get(network), addresses);
  }

  /** Runs {@code cmd} in {@code c}, bounded by {@link #DEFAULT_EXEC_TIMEOUT}. */
  public ExecResult exec(RunningContainer c, String... cmd) {
    return exec(c, DEFAULT_EXEC_TIMEOUT, cmd);
  }

  /**
   * Runs {@code cmd} in {@code c} and waits at most {@code timeout} for it to finish.
   *
   * @throws ExecTimeoutException when it did not finish in time (the process may still run in the
   *     container; it ends with the container)
   */
  public ExecResult exec(RunningContainer c, Duration timeout, String... cmd) {
    Objects.requireNonNull(c, "container");
    if (cmd.length == 0) {
      throw new IllegalArgumentException("exec needs a command");
    }
    ensureOpen();
    String execId =
        client.execCreateCmd(c.id())
            .withCmd(cmd)
            .withAttachStdout(true)
            .withAttachStderr(true)
            .exec()
            .getId();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (ResultCallback.Adapter<Frame> callback =
        new ResultCallback.Adapter<>() {
          @Override
          public void onNext(Frame frame) {
            byte[] payload = frame.getPayload();
            if (payload == null) {
              return;
            }
            ByteArrayOutputStream target = frame.getStreamType() == StreamType.STDERR ? err : out;
            synchronized (target) {
              target.write(payload, 0, payload.length);
            }
          }
        }) {
      client.execStartCmd(execId).exec(callback);
      if (!callback.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new ExecTimeoutException(
            "exec " + String.join(" ", cmd) + " in " + c.name() + " did not finish within " + timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + String.join(" ", cmd), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // The stream ends when the process closes its output; the exit code is recorded right after.
    InspectExecResponse done = client.inspectExecCmd(execId).exec();
    while (Boolean.TRUE.equals(done.isRunning()) || done.getExitCodeLong() == null) {
      if (System.nanoTime() > deadline) {
        throw new ExecTimeoutException(
            "exec " + String.join(" ", cmd) + " in " + c.name() + " did not exit within " + timeout);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      done = client.inspectExecCmd(execId).exec();
    }
    String stdout;
    String stderr;
    synchronized (out) {
      stdout = out.toString(StandardCharsets.UTF_8);
    }
    synchronized (err) {
      stderr = err.toString(StandardCharsets.UTF_8);
    }
    return new ExecResult(done.getExitCodeLong().intValue(), stdout, stderr);
  }

  /** Stops {@code c} (SIGTERM, then SIGKILL after one second); stopping a stopped one is fine. */
  public void stop(RunningContainer c) {
    try {
      client.stopContainerCmd(c.id()).withTimeout(1).exec();
    } catch (NotModifiedException | NotFoundException alreadyStopped) {
      // nothing to do
    }
  }

  /** Removes {@code c}, running or not; removing a removed one is fine. */
  public void remove(RunningContainer c) {
    removeContainer(c.id());
    containers.remove(c.id());
  }

  private void removeContainer(String id) {
    try {
      client.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
    } catch (NotFoundException gone) {
      // nothing to do
    } catch (ConflictException inProgress) {
      // "removal already in progress"
      if (!String.valueOf(inProgress.getMessage()).contains("already in progress")) {
        throw inProgress;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Networks

  /**
   * Creates a user-defined bridge network with a free {@code 198.18.N.0/24} subnet (N in 1..254,
   * so its addresses, like the default bridge's, stay in the benchmarking range and inside the
   * lab), labelled {@value #LABEL}.
   */
  public LabNetwork createNetwork(String name) {
    ensureOpen();
    Set<String> used = new HashSet<>();
    for (Network n : client.listNetworksCmd().exec()) {
      if (n.getIpam() != null && n.getIpam().getConfig() != null) {
        n.getIpam().getConfig().forEach(cfg -> used.add(cfg.getSubnet()));
      }
    }
    RuntimeException last = null;
    for (int third = 1; third <= 254; third++) {
      String subnet = "198.18." + third + ".0/24";
      if (used.contains(subnet)) {
        continue;
      }
      try {
        return createNetwork(name, subnet, "198.18." + third + ".1");
      } catch (RuntimeException e) {
        // Pool overlaps with a network created since the listing: try the next one.
        if (e.getMessage() == null || !e.getMessage().contains("overlap")) {
          throw e;
        }
        last = e;
      }
    }
    throw new IllegalStateException("no free 198.18.N.0/24 subnet left for network " + name, last);
  }

  /** Creates a user-defined bridge network with the given subnet and gateway. */
  public LabNetwork createNetwork(String name, String subnet, String gateway) {
    ensureOpen();
    Map<String, String> labels = Map.of(LABEL, "true", LABEL + ".session", session);
    String id;
    try {
      id = createBridge(name, subnet, gateway, labels);
    } catch (ConflictException e) {
      removeStaleNetwork(name, e);
      id = createBridge(name, subnet, gateway, labels);
    }
    networks.add(id);
    return new LabNetwork(id, name, subnet, gateway);
  }

  private String createBridge(String name, String subnet, String gateway, Map<String, String> labels) {
    return client
        .createNetworkCmd()
        .withName(name)
        .withDriver("bridge")
        .withCheckDuplicate(true)
        .withLabels(labels)
        .withIpam(new Network.Ipam().withConfig(new Network.Ipam.Config().withSubnet(subnet).withGateway(gateway)))
        .exec()
        .getId();
  }

  private void removeStaleNetwork(String name, ConflictException cause) {
    Network existing;
    try {
      existing = client.inspectNetworkCmd().withNetworkId(name).exec();
    } catch (NotFoundException gone) {
      return;
    }
    if (existing.getLabels() == null || !"true".equals(existing.getLabels().get(LABEL))) {
      throw cause;
    }
    if (existing.getContainers() != null) {
      existing.getContainers().keySet().forEach(this::removeContainer);
    }
    client.removeNetworkCmd(existing.getId()).exec();
  }

  /** Attaches a running container to another network ({@code docker network connect}). */
  public RunningContainer connectNetwork(RunningContainer c, String network) {
    client.connectToNetworkCmd().withContainerId(c.id()).withNetworkId(network).exec();
    return refresh(c);
  }

  /** Detaches a container from a network ({@code docker network disconnect}). */
  public RunningContainer disconnectNetwork(RunningContainer c, String network) {
    client.disconnectFromNetworkCmd().withContainerId(c.id()).withNetworkId(network).withForce(true).exec();
    return refresh(c);
  }

  /** Removes a network this harness created (its containers must be gone or disconnected). */
  public void removeNetwork(LabNetwork network) {
    try {
      client.removeNetworkCmd(network.id()).exec();
    } catch (NotFoundException gone) {
      // nothing to do
    }
    networks.remove(network.id());
  }

  private static String gatewayOf(Network network, String name) {
    if (network.getIpam() != null && network.getIpam().getConfig() != null) {
      for (Network.Ipam.Config cfg : network.getIpam().getConfig()) {
        if (cfg.getGateway() != null && !cfg.getGateway().isEmpty()) {
          return cfg.getGateway();
        }
      }
    }
    throw new IllegalStateException("network " + name + " has no IPv4 gateway");
  }

  // ---------------------------------------------------------------------------------------------
  // Cleanup

  /**
   * Removes every container and then every network this instance created, then closes the client.
   * Every removal is attempted; the first failure is thrown at the end, the others suppressed.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException failure = null;
    List<String> ownContainers;
    synchronized (containers) {
      ownContainers = new ArrayList<>(containers);
      containers.clear();
    }
    Collections.reverse(ownContainers);
    for (String id : ownContainers) {
      try {
        removeContainer(id);
      } catch (RuntimeException e) {
        failure = accumulate(failure, e);
      }
    }
    List<String> ownNetworks;
    synchronized (networks) {
      ownNetworks = new ArrayList<>(networks);
      networks.clear();
    }
    Collections.reverse(ownNetworks);
    for (String id : ownNetworks) {
      try {
        client.removeNetworkCmd(id).exec();
      } catch (NotFoundException gone) {
        // nothing to do
      } catch (RuntimeException e) {
        failure = accumulate(failure, e);
      }
    }
    try {
      client.close();
    } catch (IOException e) {
      failure = accumulate(failure, new UncheckedIOException(e));
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static RuntimeException accumulate(RuntimeException first, RuntimeException next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("this DockerLab is closed");
    }
  }

  private static void closeQuietly(DockerClient client) {
    try {
      client.close();
    } catch (IOException | RuntimeException ignored) {
      // the connection failure is what matters
    }
  }
}
