package dev.berth.proxy.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.Await;
import dev.berth.testing.DockerLab;
import dev.berth.testing.DockerLab.ContainerSpec;
import dev.berth.testing.DockerLab.RunningContainer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/** The index against a real engine: it follows starts, network changes and stops as the engine reports them. */
final class DockerContainerIndexIT {

  private DockerLab lab;
  private DockerContainerIndex index;
  private final List<Container> started = new CopyOnWriteArrayList<>();
  private final List<Container> stopped = new CopyOnWriteArrayList<>();
  private Disposable subscriptions;

  @BeforeEach
  void start() {
    lab = DockerLab.connect();
    index = DockerContainerIndex.connect(lab.dockerHost().toString());
    subscriptions = reactor.core.Disposables.composite(
        index.starts().subscribe(started::add), index.stops().subscribe(stopped::add));
    index.ready().block(Duration.ofSeconds(30));
  }

  @AfterEach
  void stop() {
    subscriptions.dispose();
    index.close();
    lab.close();
  }

  private Container lookup(String address) {
    try {
      return index.byAddress(InetAddress.getByName(address)).block(Duration.ofSeconds(10));
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Test
  void start_indexedFromTheEventsStreamWithLabelsAndEnv() {
    RunningContainer c = lab.start(ContainerSpec.named("idx-start").withLabel("team", "blue").withEnv("IAM_ROLE", "r"));
    Await.until("the start event is indexed", () -> started.stream().anyMatch(s -> s.id().equals(c.id())));
    Container found = lookup(c.ipAddress());
    assertThat(found.id()).isEqualTo(c.id());
    assertThat(found.labels()).containsEntry("team", "blue");
    assertThat(found.env()).containsEntry("IAM_ROLE", "r");
    assertThat(found.name()).doesNotStartWith("/");
  }

  @Test
  void networkConnectAndDisconnect_followed() {
    RunningContainer c = lab.start(ContainerSpec.named("idx-net"));
    var network = lab.createNetwork("idx-extra");
    RunningContainer connected = lab.connectNetwork(c, network.name());
    String second = connected.ipAddress(network.name());
    Await.until("the second address is indexed", () -> {
      Container found = lookup(second);
      return found != null && found.id().equals(c.id());
    });
    lab.disconnectNetwork(connected, network.name());
    Await.until("the second address is dropped", () -> lookup(second) == null);
    assertThat(lookup(c.ipAddress()).id()).isEqualTo(c.id());
  }

  @Test
  void stop_dropsTheContainerAndTellsSubscribers() {
    RunningContainer c = lab.start(ContainerSpec.named("idx-stop"));
    Await.until("indexed", () -> lookup(c.ipAddress()) != null);
    lab.stop(c);
    Await.until("the stop is seen", () -> stopped.stream().anyMatch(s -> s.id().equals(c.id())));
    assertThat(lookup(c.ipAddress())).isNull();
  }

  @Test
  void containersRunningBeforeTheIndex_foundByTheInitialListing() {
    RunningContainer early = lab.start(ContainerSpec.named("idx-early").withEnv("IAM_ROLE", "early"));
    try (DockerContainerIndex fresh = DockerContainerIndex.connect(lab.dockerHost().toString())) {
      fresh.ready().block(Duration.ofSeconds(30));
      assertThat(fresh.size()).isGreaterThanOrEqualTo(1);
      Container found = fresh.byAddress(addressOf(early)).block(Duration.ofSeconds(10));
      assertThat(found.env()).containsEntry("IAM_ROLE", "early");
    }
  }

  private static InetAddress addressOf(RunningContainer c) {
    try {
      return InetAddress.getByName(c.ipAddress());
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
