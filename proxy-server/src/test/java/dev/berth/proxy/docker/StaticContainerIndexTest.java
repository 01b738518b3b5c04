package dev.berth.proxy.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;

/** What the index embedders fill by hand promises on {@link ContainerIndex#starts()} and {@link ContainerIndex#stops()}. */
final class StaticContainerIndexTest {

  private final StaticContainerIndex index = new StaticContainerIndex();
  private final Disposable.Composite subscriptions = Disposables.composite();

  @AfterEach
  void stop() {
    subscriptions.dispose();
  }

  @Test
  void put_newContainer_announcedOnceThoughPutAgain() {
    List<Container> started = subscribe(index.starts());
    Container web = container("web", 10);

    index.put(web);
    index.put(container("web", 11)); // the same container, moved to another address

    assertThat(started).containsExactly(web);
    assertThat(index.byAddress(address(10)).block()).isNull();
    assertThat(index.byAddress(address(11)).block().id()).isEqualTo(web.id());
    assertThat(index.size()).isEqualTo(1);
  }

  @Test
  void starts_lateSubscriber_receivesHeldContainersThenNewOnes() {
    Container web = container("web", 10);
    Container api = container("api", 11);
    index.put(web);

    List<Container> started = subscribe(index.starts());
    index.put(api);

    assertThat(started).containsExactly(web, api);
  }

  @Test
  void starts_withFallback_announcesTheFallbackToEverySubscriber() {
    Container local = container("local", 1);
    StaticContainerIndex withFallback = new StaticContainerIndex(InetAddress::isLoopbackAddress, local);

    assertThat(subscribe(withFallback.starts())).containsExactly(local);
    assertThat(subscribe(withFallback.starts())).containsExactly(local);
    assertThat(withFallback.size()).isEqualTo(1);
  }

  @Test
  void remove_announcedOnceAndOnlyIfHeld_thenPutAgainIsANewStart() {
    List<Container> started = subscribe(index.starts());
    List<Container> stopped = subscribe(index.stops());
    Container web = container("web", 10);

    index.remove(web);
    index.put(web);
    index.remove(web);
    index.remove(web);
    index.put(web);

    assertThat(stopped).containsExactly(web);
    assertThat(started).containsExactly(web, web);
  }

  private List<Container> subscribe(Flux<Container> announcements) {
    List<Container> seen = new CopyOnWriteArrayList<>();
    subscriptions.add(announcements.subscribe(seen::add));
    return seen;
  }

  private static Container container(String name, int host) {
    return new Container(name + "-0123456789abcdef", name, "img", Map.of(), Map.of(), Set.of(address(host)));
  }

  private static InetAddress address(int host) {
    try {
      return InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) host});
    } catch (java.net.UnknownHostException impossible) {
      throw new IllegalStateException(impossible);
    }
  }
}
