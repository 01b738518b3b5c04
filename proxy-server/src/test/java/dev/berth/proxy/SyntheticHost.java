package dev.berth.proxy;

import dev.berth.proxy.docker.Container;
import dev.berth.proxy.docker.StaticContainerIndex;
import dev.berth.proxy.local.LocalMode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * For {@code bench/memory.sh}: a proxy whose index holds N containers (each with its own address
 * and role, all prefetched into the credential cache), so that resident memory can be compared
 * between N = 1 and N = 1000 under the same load. The container at 127.0.0.1 is the one the load
 * generator calls as; credentials come from local mode's issuer, so no AWS account is needed.
 *
 * <p>Usage: {@code SyntheticHost CONTAINERS PORT}
 */
public final class SyntheticHost {

  private SyntheticHost() {}

  public static void main(String[] args) throws Exception {
    int count = Integer.parseInt(args[0]);
    int port = Integer.parseInt(args[1]);
    StaticContainerIndex containers = new StaticContainerIndex();
    ProxyConfig config = new ProxyConfig(new InetSocketAddress("127.0.0.1", port),
        new InetSocketAddress("127.0.0.1", port + 1), "unix:///nonexistent.sock", null, Duration.ZERO, null,
        "com.swipely.iam-docker.iam-profile", LocalMode.BASE_ROLE_ARN, Pattern.compile(".*"), "us-east-1", null,
        Duration.ofHours(1), false, false, false, 10_000);
    BerthProxy proxy = BerthProxy.builder(config)
        .containers(containers)
        .credentials(LocalMode.issuer(config.sessionDuration(), Clock.systemUTC()))
        .start();
    for (int i = 0; i < count; i++) {
      InetAddress address = i == 0 ? InetAddress.getByName("127.0.0.1") : address(i);
      containers.put(new Container(String.format("%064x", i), "/app-" + i, "busybox",
          Map.of("com.swipely.iam-docker.iam-profile", "role-" + (i % 50)),
          Map.of("PATH", "/usr/bin:/bin", "IAM_ROLE", "ignored"), Set.of(address)));
    }
    System.out.println("ready " + count);
    Runtime.getRuntime().addShutdownHook(new Thread(proxy::close));
    proxy.awaitClose();
  }

  private static InetAddress address(int i) throws UnknownHostException {
    return InetAddress.getByAddress(new byte[] {127, 1, (byte) (i >> 8), (byte) i});
  }
}
