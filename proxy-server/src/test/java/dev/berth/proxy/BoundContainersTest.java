package dev.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.proxy.docker.Container;
import dev.berth.proxy.docker.StaticContainerIndex;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** With the bridge guard on, the proxy answers a container from an address only once that address is bound to it. */
final class BoundContainersTest {

  private static final InetAddress ADDRESS = address("198.18.0.2");
  private static final Container WEB = container("web", ADDRESS);
  private static final Container NEXT = container("next", ADDRESS);

  private final StaticContainerIndex index = new StaticContainerIndex();
  private final BoundContainers bound = new BoundContainers(index);

  @Test
  void aBoundAddress_isAnsweredAsItsContainer() {
    index.put(WEB);
    bound.bind(WEB, List.of(ADDRESS));
    StepVerifier.create(bound.byAddress(ADDRESS)).expectNext(WEB).verifyComplete();
  }

  @Test
  void anAddressNeverBound_isAnsweredAsNobody_afterTheWait() {
    index.put(WEB);
    StepVerifier.withVirtualTime(() -> bound.byAddress(ADDRESS))
        .expectSubscription()
        .expectNoEvent(BoundContainers.BINDING_WAIT.minusMillis(1))
        .thenAwait(Duration.ofMillis(1))
        .verifyComplete();
  }

  @Test
  void aRequestArrivingBeforeTheBinding_isAnsweredOnceItIsInPlace() {
    index.put(WEB);
    StepVerifier.withVirtualTime(() -> bound.byAddress(ADDRESS))
        .expectSubscription()
        .thenAwait(Duration.ofMillis(20))
        .then(() -> bound.bind(WEB, List.of(ADDRESS)))
        .expectNext(WEB)
        .verifyComplete();
  }

  @Test
  void anAddressPassedToAnotherContainer_isNotAnsweredAsItUntilRebound() {
    index.put(WEB);
    bound.bind(WEB, List.of(ADDRESS));
    index.remove(WEB);
    bound.unbind(WEB);
    index.put(NEXT);
    StepVerifier.withVirtualTime(() -> bound.byAddress(ADDRESS))
        .expectSubscription()
        .thenAwait(BoundContainers.BINDING_WAIT)
        .verifyComplete();
    bound.bind(NEXT, List.of(ADDRESS));
    StepVerifier.create(bound.byAddress(ADDRESS)).expectNext(NEXT).verifyComplete();
  }

  @Test
  void anotherContainersBinding_doesNotAnswerForThisOne() {
    index.put(NEXT);
    bound.bind(WEB, List.of(ADDRESS));
    assertThat(bound.holds(ADDRESS, NEXT)).isFalse();
    StepVerifier.withVirtualTime(() -> bound.byAddress(ADDRESS))
        .expectSubscription()
        .thenAwait(BoundContainers.BINDING_WAIT)
        .verifyComplete();
  }

  private static Container container(String name, InetAddress address) {
    return new Container(name + "-0123456789abcdef", name, "busybox", Map.of(), Map.of(), Set.of(address));
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
