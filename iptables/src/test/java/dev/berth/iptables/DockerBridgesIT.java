package dev.berth.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.DockerLab;
import dev.berth.testing.DockerLab.LabNetwork;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/** Bridge interfaces from the lab's real Docker engine, and networks created later through its events. */
final class DockerBridgesIT {

  @Test
  void current_hasTheDefaultBridge() {
    try (DockerLab lab = DockerLab.connect(); DockerBridges bridges = DockerBridges.connect(lab.dockerHost().toString())) {
      assertThat(bridges.current().block(Duration.ofSeconds(30))).contains("docker0");
    }
  }

  @Test
  void watch_networkCreatedThenRemoved_eachSeen() throws InterruptedException {
    try (DockerLab lab = DockerLab.connect(); DockerBridges bridges = DockerBridges.connect(lab.dockerHost().toString())) {
      BlockingQueue<Set<String>> seen = new LinkedBlockingQueue<>();
      Disposable watching = bridges.watch().subscribe(seen::add);
      try {
        assertThat(seen.poll(30, TimeUnit.SECONDS)).contains("docker0");
        LabNetwork network = lab.createNetwork("berth-bridges-it");
        String bridge = "br-" + network.id().substring(0, 12);
        assertThat(next(seen, names -> names.contains(bridge))).contains("docker0", bridge);
        lab.removeNetwork(network);
        assertThat(next(seen, names -> !names.contains(bridge))).contains("docker0");
      } finally {
        watching.dispose();
      }
    }
  }

  /** The first set that passes, skipping sets caused by other tests' networks. */
  private static Set<String> next(BlockingQueue<Set<String>> seen, java.util.function.Predicate<Set<String>> wanted)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      Set<String> names = seen.poll(1, TimeUnit.SECONDS);
      if (names != null && wanted.test(names)) {
        return names;
      }
    }
    throw new AssertionError("no such set of bridges within 30 s");
  }
}
