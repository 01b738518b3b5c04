package dev.berth.proxy.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.testing.Await;
import dev.berth.testing.DockerEngineEmulator;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * The real index, over its Engine API client on Reactor Netty, against the Docker Engine API emulator: what
 * {@link ContainerIndex#starts()} and {@link ContainerIndex#stops()} promise, and what a container
 * keeps.
 *
 * <p>"Exactly once" is checked after a barrier: the index writes and announces on one thread in
 * engine order, so once a container started after the one under test has been announced, every
 * announcement about the earlier one has been made.
 */
final class DockerContainerIndexTest {

  private static final String ROLE_LABEL = "com.swipely.iam-docker.iam-profile";
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir
  Path dir;

  private DockerEngineEmulator docker;
  private DockerContainerIndex index;
  private final List<Disposable> subscriptions = new ArrayList<>();
  private final AtomicInteger addresses = new AtomicInteger();

  @BeforeEach
  void start() {
    docker = DockerEngineEmulator.builder().socket(dir.resolve("docker.sock")).start();
  }

  @AfterEach
  void stop() {
    subscriptions.forEach(Disposable::dispose);
    if (index != null) {
      index.close();
    }
    docker.close();
  }

  @Test
  void starts_containersRunningBeforeConnect_announcedOnceByTheInitialListing() {
    String web = run("web");
    String api = run("api");

    connect();
    Seen started = seen(index.starts());
    index.ready().block(WAIT);

    awaitSeen(started, web, api);
    barrier(started);
    assertThat(started.count(web)).isEqualTo(1);
    assertThat(started.count(api)).isEqualTo(1);
    // They started before the stream opened, so no event names them: the listing found them.
    assertThat(docker.requests("/containers/json")).isPositive();
  }

  @Test
  void starts_manyRunningBeforeConnect_everyOneIndexedAndAnnouncedOnce() {
    // More than the listing inspects at once: they are inspected a few at a time, joined in order.
    List<String> ids = IntStream.range(0, 40).mapToObj(i -> run("app-" + i)).toList();

    connect();
    Seen started = seen(index.starts());
    index.ready().block(WAIT);

    awaitSeen(started, ids.toArray(String[]::new));
    barrier(started);
    assertThat(ids).allSatisfy(id -> assertThat(started.count(id)).as(id).isEqualTo(1));
  }

  @Test
  void starts_containerStartedAfterConnect_announcedOnceThoughInspectedForEachEvent() {
    connect();
    Seen started = seen(index.starts());
    awaitStreamOpen();

    String web = run("web");

    awaitSeen(started, web);
    barrier(started);
    assertThat(started.count(web)).isEqualTo(1);
    // docker run sends network "connect" and then "start": the index inspects on both, and the
    // second finds a container it holds already.
    assertThat(docker.requests("/containers/" + web + "/json")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void starts_subscriberAfterReady_receivesEveryIndexedContainerOnce() {
    String before = run("before");
    connect();
    awaitStreamOpen();
    String after = run("after");
    Await.until("both are indexed", () -> index.size() == 2);

    Seen late = seen(index.starts());

    awaitSeen(late, before, after);
    barrier(late);
    assertThat(late.count(before)).isEqualTo(1);
    assertThat(late.count(after)).isEqualTo(1);
  }

  @Test
  void starts_startedBeforeAnyoneSubscribes_notLost() {
    connect();
    // Nobody listens yet: whoever subscribes later must still be told.
    String early = run("early");
    Await.until("it is indexed", () -> index.size() == 1);

    Seen started = seen(index.starts());

    awaitSeen(started, early);
    barrier(started);
    assertThat(started.count(early)).isEqualTo(1);
  }

  @Test
  void starts_subscribingWhileContainersStart_missesNoneAndDoublesNone() throws InterruptedException {
    connect();
    awaitStreamOpen();
    List<String> ids = new CopyOnWriteArrayList<>();
    // Paced by the index, so that the subscription lands between two of its writes, not after all.
    Thread starter = new Thread(() -> {
      for (int i = 0; i < 100; i++) {
        ids.add(run("burst-" + i));
        int indexed = i + 1;
        Await.until("burst-" + i + " is indexed", () -> index.size() >= indexed);
      }
    });
    starter.start();
    Await.until("some are indexed", () -> index.size() >= 30);

    Seen started = seen(index.starts());
    starter.join(WAIT.toMillis());

    assertThat(ids).hasSize(100);
    awaitSeen(started, ids.toArray(String[]::new));
    barrier(started);
    assertThat(ids).allSatisfy(id -> assertThat(started.count(id)).as(id).isEqualTo(1));
  }

  @Test
  void starts_afterReconnect_resyncAnnouncesWhatStartedMeanwhileAndStopsWhatIsGone() throws Exception {
    // The index reaches the engine through a relay, so that the test can restart the engine.
    try (SocketRelay relay = new SocketRelay(dir.resolve("relay.sock"), dir.resolve("docker.sock"))) {
      String gone = run("gone");
      index = DockerContainerIndex.connect("unix://" + dir.resolve("relay.sock"));
      Seen started = seen(index.starts());
      Seen stopped = seen(index.stops());
      index.ready().block(WAIT);
      awaitSeen(started, gone);
      awaitStreamOpen();

      // The engine restarts with another container, which started while the index was cut off:
      // no event will ever name it, only the resync after the reconnect can find it.
      DockerEngineEmulator restarted = DockerEngineEmulator.builder().socket(dir.resolve("restarted.sock")).start();
      String meanwhile = restarted.run("meanwhile", "10.7.0.2", Map.of(ROLE_LABEL, "meanwhile"), Map.of());
      relay.restart(dir.resolve("restarted.sock"));
      docker.close();
      docker = restarted;

      awaitSeen(started, meanwhile);
      awaitSeen(stopped, gone);
      awaitStreamOpen();
      barrier(started);
      assertThat(started.count(meanwhile)).isEqualTo(1);
      assertThat(started.count(gone)).isEqualTo(1);
      assertThat(stopped.count(gone)).isEqualTo(1);
      assertThat(index.size()).isEqualTo(2); // meanwhile and the barrier's container
    }
  }

  /** A container "before" at 10.8.0.2, indexed through relay.sock with its events stream open. */
  private void indexHoldingOneContainerThroughTheRelay() throws Exception {
    String before = docker.run("before", "10.8.0.2", Map.of(ROLE_LABEL, "before"), Map.of());
    index = DockerContainerIndex.connect("unix://" + dir.resolve("relay.sock"));
    index.ready().block(WAIT);
    assertThat(index.byAddress(inet("10.8.0.2")).block(WAIT).id()).isEqualTo(before);
    awaitStreamOpen();
  }

  @Test
  void byAddress_eventsLostAndTheAddressGivenToAnother_answeredFromTheEnginesListingNotFromWhatItHeld()
      throws Exception {
    try (SocketRelay relay = new SocketRelay(dir.resolve("relay.sock"), dir.resolve("docker.sock"))) {
      indexHoldingOneContainerThroughTheRelay();

      // The engine restarts and starts another container on that address, as an engine that crashed
      // and restarts its containers does, while the index has not yet reopened its events stream.
      DockerEngineEmulator restarted = DockerEngineEmulator.builder().socket(dir.resolve("restarted.sock")).start();
      String after = restarted.run("after", "10.8.0.2", Map.of(ROLE_LABEL, "after"), Map.of());
      relay.blockEvents(true);
      relay.restart(dir.resolve("restarted.sock"));
      docker.close();
      docker = restarted;
      Await.until("the index tries to reopen the events stream", () -> relay.refused() > 0);

      Container found = index.byAddress(inet("10.8.0.2")).block(WAIT);

      assertThat(found).isNotNull();
      assertThat(found.id()).isEqualTo(after);
      assertThat(found.labels()).containsEntry(ROLE_LABEL, "after");
    }
  }

  @Test
  void byAddress_eventsLostAndTheEngineDown_failsRatherThanAnswerWhatItHeld() throws Exception {
    try (SocketRelay relay = new SocketRelay(dir.resolve("relay.sock"), dir.resolve("docker.sock"))) {
      indexHoldingOneContainerThroughTheRelay();

      // The engine is gone: whoever holds the address once it is back cannot be known now.
      relay.restart(dir.resolve("no-engine.sock"));
      Await.until("the index tries to reopen the events stream", () -> relay.refused() > 0);

      assertThatThrownBy(() -> index.byAddress(inet("10.8.0.2")).block(WAIT))
          .isInstanceOf(IndexUnavailableException.class);
    }
  }

  @Test
  void stops_stoppedContainer_announcedOnceAndNoLongerFound() {
    String web = run("web");
    String address = lastAddress();
    connect();
    Seen started = seen(index.starts());
    Seen stopped = seen(index.stops());
    index.ready().block(WAIT);
    awaitSeen(started, web);
    awaitStreamOpen();

    docker.stop(web);

    awaitSeen(stopped, web);
    barrier(started);
    // docker stop sends kill, die, network disconnect and stop: only "die" finds it indexed.
    assertThat(stopped.count(web)).isEqualTo(1);
    assertThat(index.byAddress(inet(address)).block(WAIT)).isNull();
    assertThat(started.count(web)).isEqualTo(1);
  }

  @Test
  void index_keepsOnlyTheEnvTheRolePolicyReads() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", "/usr/bin:/bin");
    env.put("DB_PASSWORD", "hunter2");
    env.put("IAM_ROLE", "app");
    env.put("IAM_ROLE_EXTRA", "not-the-role");
    String web = docker.run("web", "10.9.0.2", Map.of(ROLE_LABEL, "app-label", "team", "blue"), env);
    docker.run("plain", "10.9.0.3", Map.of(), Map.of("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI"));
    connect();
    index.ready().block(WAIT);

    Container found = index.byAddress(inet("10.9.0.2")).block(WAIT);
    Container plain = index.byAddress(inet("10.9.0.3")).block(WAIT);

    assertThat(found.id()).isEqualTo(web);
    assertThat(found.name()).isEqualTo("web");
    assertThat(found.labels()).isEqualTo(Map.of(ROLE_LABEL, "app-label", "team", "blue"));
    assertThat(found.env()).isEqualTo(Map.of("IAM_ROLE", "app"));
    assertThat(plain.env()).isEmpty();
  }

  private void connect() {
    index = DockerContainerIndex.connect(docker.dockerHost());
  }

  private void awaitStreamOpen() {
    Await.until("the index holds the events stream open", () -> docker.eventSubscribers() == 1);
  }

  private String run(String name) {
    int n = addresses.incrementAndGet();
    return docker.run(name, "10.8." + (n / 250) + "." + (n % 250 + 2), Map.of(ROLE_LABEL, name), Map.of());
  }

  private String lastAddress() {
    int n = addresses.get();
    return "10.8." + (n / 250) + "." + (n % 250 + 2);
  }

  /**
   * Returns once every announcement (start or stop) the index made before now has reached every
   * subscriber: all are made on one thread, in order, and this waits for a later one.
   */
  private void barrier(Seen seen) {
    String marker = run("barrier-" + addresses.get());
    awaitSeen(seen, marker);
  }

  private Seen seen(Flux<Container> announcements) {
    Seen seen = new Seen();
    subscriptions.add(announcements.subscribe(seen.containers::add));
    return seen;
  }

  private static void awaitSeen(Seen seen, String... ids) {
    Await.until("announced: " + List.of(ids), () -> List.of(ids).stream().allMatch(id -> seen.count(id) > 0));
  }

  private static InetAddress inet(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** What one subscriber has received, in order. */
  private static final class Seen {
    final List<Container> containers = new CopyOnWriteArrayList<>();

    long count(String id) {
      return containers.stream().filter(c -> c.id().equals(id)).count();
    }
  }
}
