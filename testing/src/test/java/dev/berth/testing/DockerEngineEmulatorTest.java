package dev.berth.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives the emulator through the real docker-java client and zerodep transport, as the proxy and the iptables module use them. */
final class DockerEngineEmulatorTest {

  private static final String ROLE_LABEL = "com.swipely.iam-docker.iam-profile";
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  @TempDir
  Path dir;

  private ManualClock clock;
  private DockerEngineEmulator docker;
  private DockerClient client;
  private final List<Closeable> streams = new ArrayList<>();

  @BeforeEach
  void start() {
    clock = ManualClock.at(NOW);
    docker = DockerEngineEmulator.builder().socket(dir.resolve("docker.sock")).clock(clock).start();
    client = client(docker.dockerHost(), null);
  }

  @AfterEach
  void stop() throws IOException {
    for (Closeable stream : streams) {
      stream.close();
    }
    client.close();
    docker.close();
  }

  @Test
  void dockerHost_isTheSocket() {
    assertThat(docker.dockerHost()).isEqualTo("unix://" + dir.resolve("docker.sock").toAbsolutePath());
    assertThat(dir.resolve("docker.sock")).exists();
  }

  @Test
  void ping_andVersion_answerAsDocker2010() {
    client.pingCmd().exec();
    Version version = client.versionCmd().exec();

    assertThat(version.getApiVersion()).isEqualTo("1.41");
    assertThat(version.getVersion()).isEqualTo("20.10.24");
    assertThat(version.getOperatingSystem()).isEqualTo("linux");
    assertThat(docker.requests("/_ping")).isEqualTo(1);
    assertThat(docker.requests("/version")).isEqualTo(1);
  }

  @Test
  void listContainers_statusRunning_listsOnlyRunningOnes() {
    String web = docker.run("web", "127.1.0.2", Map.of(ROLE_LABEL, "app"), Map.of("IAM_ROLE", "other"));
    String old = docker.run("old", "127.1.0.3", Map.of(), Map.of());
    docker.stop(old);

    List<Container> running = client.listContainersCmd().withStatusFilter(List.of("running")).exec();

    assertThat(running).extracting(Container::getId).containsExactly(web);
    Container listed = running.get(0);
    assertThat(listed.getNames()).containsExactly("/web");
    assertThat(listed.getImage()).isEqualTo(DockerLab.DEFAULT_IMAGE);
    assertThat(listed.getState()).isEqualTo("running");
    assertThat(listed.getLabels()).containsEntry(ROLE_LABEL, "app");
    assertThat(listed.getNetworkSettings().getNetworks().get("bridge").getIpAddress()).isEqualTo("127.1.0.2");
    assertThat(docker.requests("/containers/json")).isEqualTo(1);
  }

  @Test
  void listContainers_allAndFilters_followTheEngine() {
    String web = docker.run("web", "127.1.0.2", Map.of(ROLE_LABEL, "app"), Map.of());
    String old = docker.run("old", "127.1.0.3", Map.of(ROLE_LABEL, "batch"), Map.of());
    docker.stop(old);

    assertThat(client.listContainersCmd().exec()).extracting(Container::getId).containsExactly(web);
    // Newest first, as the engine lists.
    assertThat(client.listContainersCmd().withShowAll(true).exec()).extracting(Container::getId).containsExactly(old, web);
    assertThat(client.listContainersCmd().withStatusFilter(List.of("exited")).exec())
        .extracting(Container::getId, Container::getState).containsExactly(tuple(old, "exited"));
    assertThat(client.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(ROLE_LABEL, "batch")).exec())
        .extracting(Container::getId).containsExactly(old);
    assertThat(client.listContainersCmd().withShowAll(true).withLabelFilter(List.of(ROLE_LABEL)).exec()).hasSize(2);
  }

  @Test
  void listContainers_unknownStatus_badRequest() {
    assertThatThrownBy(() -> client.listContainersCmd().withStatusFilter(List.of("sleeping")).exec())
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("Invalid filter 'status=sleeping'");
  }

  @Test
  void inspectContainer_running_describesIt() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", "/usr/bin:/bin");
    env.put("IAM_ROLE", "app");
    String id = docker.run("web-1", "127.1.0.2", Map.of(ROLE_LABEL, "app", "team", "payments"), env);

    InspectContainerResponse inspected = client.inspectContainerCmd(id).exec();

    assertThat(inspected.getId()).isEqualTo(id).hasSize(64);
    assertThat(inspected.getName()).isEqualTo("/web-1");
    assertThat(inspected.getCreated()).isEqualTo(NOW.toString());
    assertThat(inspected.getState().getRunning()).isTrue();
    assertThat(inspected.getState().getStatus()).isEqualTo("running");
    assertThat(inspected.getConfig().getImage()).isEqualTo(DockerLab.DEFAULT_IMAGE);
    assertThat(inspected.getConfig().getLabels()).isEqualTo(Map.of(ROLE_LABEL, "app", "team", "payments"));
    assertThat(inspected.getConfig().getEnv()).containsExactly("PATH=/usr/bin:/bin", "IAM_ROLE=app");
    assertThat(inspected.getHostConfig().getNetworkMode()).isEqualTo("default");
    ContainerNetwork bridge = inspected.getNetworkSettings().getNetworks().get("bridge");
    assertThat(bridge.getIpAddress()).isEqualTo("127.1.0.2");
    assertThat(bridge.getGlobalIPv6Address()).isEmpty();
    assertThat(bridge.getMacAddress()).isEqualTo("02:42:7f:01:00:02");
    assertThat(inspected.getNetworkSettings().getIpAddress()).isEqualTo("127.1.0.2");
    assertThat(docker.requests("/containers/" + id + "/json")).isEqualTo(1);
  }

  @Test
  void inspectContainer_byNameOrPrefix_findsIt() {
    String id = docker.run("web", "fd00:ec2::10", Map.of(), Map.of());

    assertThat(client.inspectContainerCmd("web").exec().getId()).isEqualTo(id);
    assertThat(client.inspectContainerCmd(id.substring(0, 12)).exec().getId()).isEqualTo(id);
    ContainerNetwork bridge = client.inspectContainerCmd(id).exec().getNetworkSettings().getNetworks().get("bridge");
    assertThat(bridge.getIpAddress()).isEmpty();
    assertThat(bridge.getGlobalIPv6Address()).isEqualTo("fd00:ec2::10");
  }

  @Test
  void inspectContainer_unknown_notFound() {
    assertThatThrownBy(() -> client.inspectContainerCmd("0123456789ab").exec())
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("No such container: 0123456789ab");
  }

  @Test
  void inspectContainer_stoppedThenRemoved_notRunningThenNotFound() {
    String id = docker.run("web", "127.1.0.2", Map.of(), Map.of());
    clock.advance(Duration.ofSeconds(5));
    docker.stop(id);

    InspectContainerResponse stopped = client.inspectContainerCmd(id).exec();
    assertThat(stopped.getState().getRunning()).isFalse();
    assertThat(stopped.getState().getExitCodeLong()).isEqualTo(143L);
    assertThat(stopped.getState().getFinishedAt()).isEqualTo(NOW.plusSeconds(5).toString());
    assertThat(stopped.getNetworkSettings().getNetworks().get("bridge").getIpAddress()).isEmpty();

    docker.remove(id);
    assertThatThrownBy(() -> client.inspectContainerCmd(id).exec()).isInstanceOf(NotFoundException.class);
  }

  @Test
  void run_nameOrAddressTaken_refused() {
    docker.run("web", "127.1.0.2", Map.of(), Map.of());

    assertThatThrownBy(() -> docker.run("web", "127.1.0.3", Map.of(), Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"/web\" is already in use");
    assertThatThrownBy(() -> docker.run("api", "127.1.0.2", Map.of(), Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("127.1.0.2 is already used");
    assertThatThrownBy(() -> docker.run("api", "localhost", Map.of(), Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an IPv4 or IPv6 address literal");
    assertThatThrownBy(() -> docker.remove("web"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("stop it before removing it");
  }

  @Test
  void listNetworks_bridgeNamesItsInterface() {
    String id = docker.createNetwork("backend");

    List<Network> networks = client.listNetworksCmd().exec();

    assertThat(networks).extracting(Network::getName).containsExactly("backend", "bridge", "host", "none");
    Network bridge = networks.get(1);
    assertThat(bridge.getDriver()).isEqualTo("bridge");
    assertThat(bridge.getOptions()).containsEntry("com.docker.network.bridge.name", "docker0");
    assertThat(bridge.getIpam().getConfig()).extracting(Network.Ipam.Config::getSubnet).containsExactly("172.17.0.0/16");
    assertThat(bridge.getCreated()).isEqualTo(Date.from(NOW));
    Network backend = networks.get(0);
    assertThat(backend.getId()).isEqualTo(id);
    assertThat(backend.getDriver()).isEqualTo("bridge");
    assertThat(backend.getOptions()).isEmpty();
    assertThat(networks.get(2).getDriver()).isEqualTo("host");
    assertThat(networks.get(3).getDriver()).isEqualTo("null");
  }

  @Test
  void events_containerStartedAfterSubscribing_isSeen() {
    Events events = subscribe(client, EventType.CONTAINER, EventType.NETWORK);

    String id = docker.run("web", "127.1.0.2", Map.of(ROLE_LABEL, "app"), Map.of());
    Await.until("docker-java receives the start event", () -> events.has(e -> "start".equals(e.getAction())));

    List<Event> received = events.all();
    assertThat(received).extracting(Event::getType, Event::getAction).containsExactly(
        tuple(EventType.CONTAINER, "create"),
        tuple(EventType.NETWORK, "connect"),
        tuple(EventType.CONTAINER, "start"));
    Event start = received.get(2);
    assertThat(start.getId()).isEqualTo(id);
    assertThat(start.getStatus()).isEqualTo("start");
    assertThat(start.getFrom()).isEqualTo(DockerLab.DEFAULT_IMAGE);
    assertThat(start.getActor().getId()).isEqualTo(id);
    assertThat(start.getActor().getAttributes()).containsEntry("name", "web").containsEntry(ROLE_LABEL, "app");
    assertThat(start.getTime()).isEqualTo(NOW.getEpochSecond());
    assertThat(received.get(1).getActor().getAttributes()).containsEntry("container", id).containsEntry("name", "bridge");
  }

  @Test
  void events_stop_announcesKillDieDisconnectStop() {
    String id = docker.run("web", "127.1.0.2", Map.of(), Map.of());
    Events events = subscribe(client, EventType.CONTAINER, EventType.NETWORK);

    docker.stop(id);
    Await.until("docker-java receives the stop event", () -> events.has(e -> "stop".equals(e.getAction())));

    assertThat(events.all()).extracting(Event::getAction).containsExactly("kill", "die", "disconnect", "stop");
    assertThat(events.all().get(1).getActor().getAttributes()).containsEntry("exitCode", "143");
  }

  @Test
  void events_networkTypeAndActionFilter_onlyThoseEvents() {
    Events events = new Events();
    client.eventsCmd().withEventTypeFilter(EventType.NETWORK).withEventFilter("create", "destroy").exec(events);
    streams.add(events);
    Await.until("docker-java opens the events stream", () -> events.started.get() && docker.eventSubscribers() == 1);

    docker.run("web", "127.1.0.2", Map.of(), Map.of());
    String id = docker.createNetwork("backend");
    Await.until("docker-java receives the create event", () -> events.has(e -> "create".equals(e.getAction())));

    // Events arrive in order, so the container's and the connect event would have come first.
    assertThat(events.all()).extracting(Event::getAction).containsExactly("create");
    assertThat(events.all().get(0).getActor().getId()).isEqualTo(id);
    assertThat(events.all().get(0).getType()).isEqualTo(EventType.NETWORK);
  }

  @Test
  void close_endsTheEventsStreamAndRemovesTheSocket() {
    Events events = subscribe(client, EventType.CONTAINER);

    docker.close();

    Await.until("docker-java sees the stream end", events.completed::get);
    assertThat(dir.resolve("docker.sock")).doesNotExist();
    assertThatThrownBy(() -> docker.run("web", "127.1.0.2", Map.of(), Map.of())).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void apiVersionPrefix_servedAndCountedWithoutIt() throws IOException {
    try (DockerClient versioned = client(docker.dockerHost(), "1.41")) {
      String id = docker.run("web", "127.1.0.2", Map.of(), Map.of());

      assertThat(versioned.inspectContainerCmd(id).exec().getId()).isEqualTo(id);
      assertThat(docker.recordedRequests()).extracting(RecordedRequest::path).contains("/v1.41/containers/" + id + "/json");
      assertThat(docker.requests("/containers/" + id + "/json")).isEqualTo(1);
    }
  }

  @Test
  void apiVersionPrefix_tooNew_badRequest() throws IOException {
    try (DockerClient tooNew = client(docker.dockerHost(), "1.44")) {
      assertThatThrownBy(() -> tooNew.listContainersCmd().exec())
          .isInstanceOf(BadRequestException.class)
          .hasMessageContaining("client version 1.44 is too new. Maximum supported API version is 1.41");
    }
  }

  @Test
  void builder_withoutSocket_listensOnLoopbackTcp() throws IOException {
    try (DockerEngineEmulator tcp = DockerEngineEmulator.builder().start();
         DockerClient tcpClient = client(tcp.dockerHost(), null)) {
      String id = tcp.run("web", "127.1.0.2", Map.of(), Map.of());

      assertThat(tcp.dockerHost()).matches("tcp://127\\.0\\.0\\.1:\\d+");
      assertThat(tcpClient.inspectContainerCmd(id).exec().getState().getRunning()).isTrue();
    }
  }

  @Test
  void builder_socketExists_refused() throws IOException {
    Path taken = Files.createFile(dir.resolve("taken.sock"));

    assertThatThrownBy(() -> DockerEngineEmulator.builder().socket(taken).start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exists already");
  }

  private Events subscribe(DockerClient docker, EventType... types) {
    Events events = new Events();
    docker.eventsCmd().withEventTypeFilter(types).exec(events);
    streams.add(events);
    Await.until("docker-java opens the events stream",
        () -> events.started.get() && this.docker.eventSubscribers() == 1);
    return events;
  }

  private static DockerClient client(String dockerHost, String apiVersion) {
    DefaultDockerClientConfig.Builder config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(dockerHost);
    if (apiVersion != null) {
      config.withApiVersion(apiVersion);
    }
    DefaultDockerClientConfig built = config.build();
    var http = new ZerodepDockerHttpClient.Builder()
        .dockerHost(built.getDockerHost())
        .sslConfig(built.getSSLConfig())
        .maxConnections(4)
        .connectionTimeout(Duration.ofSeconds(5))
        .build();
    return DockerClientImpl.getInstance(built, http);
  }

  /** What docker-java hands a stream's callback, in order. */
  private static final class Events extends ResultCallback.Adapter<Event> {
    final AtomicBoolean started = new AtomicBoolean();
    final AtomicBoolean completed = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Event> received = new ConcurrentLinkedQueue<>();

    @Override
    public void onStart(Closeable stream) {
      super.onStart(stream);
      started.set(true);
    }

    @Override
    public void onNext(Event event) {
      received.add(event);
    }

    @Override
    public void onComplete() {
      completed.set(true);
      super.onComplete();
    }

    boolean has(Predicate<Event> test) {
      return received.stream().anyMatch(test);
    }

    List<Event> all() {
      return List.copyOf(received);
    }
  }
}
