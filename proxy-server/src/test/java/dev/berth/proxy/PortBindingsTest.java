package dev.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.iptables.BridgeGuard;
import dev.berth.iptables.ContainerPorts;
import dev.berth.iptables.PortBinding;
import dev.berth.proxy.docker.Container;
import dev.berth.proxy.docker.Endpoint;
import dev.berth.proxy.docker.StaticContainerIndex;
import dev.berth.testing.Await;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/** The daemon's bindings follow the container index, in bursts too, and a container is answered only once bound. */
final class PortBindingsTest {

  /** A guard that takes a while per change, as nft does, and keeps what it was asked to hold. */
  private static final class SlowGuard implements BridgeGuard {
    final Map<String, PortBinding> bound = new ConcurrentHashMap<>();

    @Override
    public Mono<Void> install() {
      return Mono.empty();
    }

    @Override
    public Mono<Void> update(Collection<PortBinding> bind, Collection<PortBinding> unbind) {
      return Mono.delay(Duration.ofMillis(20)).then(Mono.fromRunnable(() -> {
        unbind.forEach(binding -> bound.remove(binding.port(), binding));
        bind.forEach(binding -> bound.put(binding.port(), binding));
      }));
    }

    @Override
    public Collection<PortBinding> bindings() {
      return List.copyOf(bound.values());
    }

    @Override
    public Mono<Void> remove() {
      return Mono.empty();
    }

    @Override
    public Mono<String> show() {
      return Mono.just("");
    }

    @Override
    public Mono<List<String>> check() {
      return Mono.just(List.of());
    }
  }

  private final StaticContainerIndex index = new StaticContainerIndex();
  private final BoundContainers containers = new BoundContainers(index);
  private final SlowGuard guard = new SlowGuard();

  /** Each container's one interface is wired to host port vethN, N its pid. */
  private static Map<String, ContainerPorts.Port> ports(long pid) {
    return Map.of(mac(pid), new ContainerPorts.Port("veth" + pid, "docker0"));
  }

  @Test
  void aBurstOfContainers_whileEarlierBatchesAreStillApplied_isBoundWhole() {
    List<Container> all = new ArrayList<>();
    Disposable following = PortBindings.follow(guard, PortBindingsTest::ports, containers);
    try {
      // A daemon restart on a busy host: the index learns of hundreds at once, in several writes.
      for (int i = 1; i <= 600; i++) {
        Container container = container(i);
        all.add(container);
        index.put(container);
      }
      // The proxy answers a container once its batch is applied, just after the guard holds the
      // batch's bindings: wait for the answering side, then check the guard holds each one's own.
      Await.until("every container is answered as itself",
          () -> all.stream().allMatch(container -> containers.holds(address(container.pid()), container)));
      assertThat(guard.bound).hasSize(600);
      for (Container container : all) {
        assertThat(guard.bound.get("veth" + container.pid()).mac()).as(container.name())
            .isEqualTo(mac(container.pid()));
      }
    } finally {
      following.dispose();
    }
  }

  @Test
  void aContainerThatLeaves_isUnboundAndNoLongerAnswered() {
    Disposable following = PortBindings.follow(guard, PortBindingsTest::ports, containers);
    try {
      Container web = container(7);
      index.put(web);
      Await.until("web is bound", () -> guard.bound.containsKey("veth7"));
      index.remove(web);
      Await.until("web is unbound", () -> guard.bound.isEmpty());
      assertThat(containers.holds(address(7), web)).isFalse();
    } finally {
      following.dispose();
    }
  }

  private static Container container(long pid) {
    InetAddress address = address(pid);
    return new Container(String.format("%064d", pid), "c" + pid, "busybox", Map.of(), Map.of(), Set.of(address), pid,
        List.of(new Endpoint("bridge", mac(pid), List.of(address))));
  }

  private static String mac(long pid) {
    return String.format("02:42:c6:12:%02x:%02x", pid / 256, pid % 256);
  }

  private static InetAddress address(long pid) {
    try {
      return InetAddress.getByAddress(new byte[] {(byte) 198, 18, (byte) (pid / 256), (byte) (pid % 256)});
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
