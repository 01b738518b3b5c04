package dev.berth.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The AWS host around the real proxy daemon, emulated for benchmarks ({@code bench/memory.sh}): an
 * {@link StsEmulator} on {@code 127.0.0.1} and a {@link DockerEngineEmulator} on a unix socket that
 * runs N containers, so that {@code bin/berth-proxy} runs in its normal mode, with its real
 * docker-java index and its real STS client.
 *
 * <p>Container {@code i} is {@code app-i}, at {@code 127.0.0.1} for {@code i = 0} (so a load
 * generator on this machine calls as that container) and at {@code 127.1.x.y} otherwise (distinct,
 * on loopback, never bound), with the label {@code com.swipely.iam-docker.iam-profile=role-(i % 50)},
 * Compose's labels and a typical environment (PATH, LANG, a few settings, {@code IAM_ROLE}).
 *
 * <pre>{@code
 * java -cp daemon/target/berth-proxy.jar:testing/target/classes dev.berth.testing.EmulatedHost \
 *     /tmp/bench/docker.sock 1000 http://127.0.0.1:18101/readyz
 * # stdout: ready sts=http://127.0.0.1:41234 docker=unix:///tmp/bench/docker.sock
 * #         (once the proxy at 18101 is ready) started 1000 containers
 * }</pre>
 *
 * <p>With {@code --ec2 PENDING,COPY,SHUTTING_DOWN} (seconds) it also runs an {@link Ec2Emulator} on
 * {@code 127.0.0.1} (region {@code us-east-1}, no capacity limit) for the daemon's groups and
 * encryption jobs ({@code bench/daemon-load.sh}), adds {@code ec2=URL} to the {@code ready} line, and
 * prints the emulator's call counts every second as {@code ec2-calls TOTAL Action=N ...}, so a script
 * can count the EC2 calls made in a time window.
 *
 * <pre>{@code
 * java -cp ... dev.berth.testing.EmulatedHost --ec2 20,30,5 /tmp/bench/docker.sock 1000
 * # stdout: ready sts=http://127.0.0.1:41234 docker=unix:///tmp/bench/docker.sock ec2=http://127.0.0.1:41235
 * #         ec2-calls 0
 * }</pre>
 *
 * <p>With a readiness URL, the containers start only once it answers 200 — that is, once the proxy
 * listens with its index subscribed to the events stream — so the proxy sees each of them start and
 * prefetches its credentials, as on a host where the proxy starts before the containers. Without
 * one, they run before {@code ready} is printed, as on a host where the proxy restarts. It then
 * runs until killed, and removes the socket on the way out.
 */
public final class EmulatedHost {

  private static final String ROLE_LABEL = "com.swipely.iam-docker.iam-profile";
  private static final int ROLES = 50;
  private static final Duration READY_LIMIT = Duration.ofMinutes(3);

  private EmulatedHost() {}

  /**
   * Starts the emulators and prints {@code ready sts=URL docker=DOCKER_HOST} on stdout.
   *
   * @param args {@code [--ec2 PENDING,COPY,SHUTTING_DOWN] SOCKET CONTAINERS [READY_URL]}: optionally an
   *     EC2 emulator's state durations in seconds, the Docker socket to create, how many containers to
   *     run (1 to 65535), and optionally a loopback URL to wait for before running them
   * @throws Exception if an emulator does not start, or the readiness URL never answers 200
   */
  public static void main(String[] args) throws Exception {
    Duration[] ec2Durations = null;
    if (args.length >= 2 && args[0].equals("--ec2")) {
      ec2Durations = seconds(args[1]);
      args = java.util.Arrays.copyOfRange(args, 2, args.length);
    }
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: EmulatedHost [--ec2 PENDING,COPY,SHUTTING_DOWN] SOCKET CONTAINERS [READY_URL]");
      System.exit(2);
    }
    Path socket = Path.of(args[0]);
    int count = Integer.parseInt(args[1]);
    if (count < 1 || count > 65_535) {
      throw new IllegalArgumentException("CONTAINERS must be 1..65535 (one loopback address each), got " + count);
    }
    URI readyUrl = args.length == 3 ? loopback(URI.create(args[2])) : null;

    StsEmulator sts = StsEmulator.builder().host("127.0.0.1").start();
    DockerEngineEmulator docker = DockerEngineEmulator.builder().socket(socket).start();
    Ec2Emulator ec2 = ec2Durations == null ? null : Ec2Emulator.builder().host("127.0.0.1").region("us-east-1")
        .pendingDuration(ec2Durations[0]).copyDuration(ec2Durations[1]).shuttingDownDuration(ec2Durations[2]).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (ec2 != null) {
        ec2.close();
      }
      docker.close();
      sts.close();
      stopped.countDown();
    }, "emulated-host-shutdown"));

    if (readyUrl == null) {
      runContainers(docker, count);
    }
    System.out.println("ready sts=" + sts.endpoint() + " docker=" + docker.dockerHost()
        + (ec2 == null ? "" : " ec2=" + ec2.endpoint()));
    System.out.flush();
    if (ec2 != null) {
      reportCalls(ec2);
    }
    if (readyUrl != null) {
      awaitReady(readyUrl);
      runContainers(docker, count);
      System.out.println("started " + count + " containers");
      System.out.flush();
    }
    stopped.await();
  }

  // A daemon thread: one line a second with the calls so far, by action name.
  private static void reportCalls(Ec2Emulator ec2) {
    Thread reporter = new Thread(() -> {
      try {
        while (true) {
          Map<String, Integer> calls = new java.util.TreeMap<>(ec2.calls());
          StringBuilder line = new StringBuilder("ec2-calls ")
              .append(calls.values().stream().mapToInt(Integer::intValue).sum());
          calls.forEach((action, n) -> line.append(' ').append(action).append('=').append(n));
          System.out.println(line);
          System.out.flush();
          Thread.sleep(1000);
        }
      } catch (InterruptedException stopping) {
        Thread.currentThread().interrupt();
      }
    }, "ec2-calls");
    reporter.setDaemon(true);
    reporter.start();
  }

  private static Duration[] seconds(String list) {
    String[] parts = list.split(",");
    if (parts.length != 3) {
      throw new IllegalArgumentException("--ec2 takes PENDING,COPY,SHUTTING_DOWN in seconds, e.g. 20,30,5; got " + list);
    }
    Duration[] durations = new Duration[3];
    for (int i = 0; i < 3; i++) {
      durations[i] = Duration.ofMillis(Math.round(Double.parseDouble(parts[i]) * 1000));
    }
    return durations;
  }

  private static void runContainers(DockerEngineEmulator docker, int count) {
    for (int i = 0; i < count; i++) {
      docker.run("app-" + i, address(i), labels(i), env(i));
    }
  }

  static String address(int i) {
    return i == 0 ? "127.0.0.1" : "127.1." + (i >> 8) + "." + (i & 0xFF);
  }

  static Map<String, String> labels(int i) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(ROLE_LABEL, role(i));
    labels.put("com.docker.compose.project", "bench");
    labels.put("com.docker.compose.service", "app-" + i);
    labels.put("com.docker.compose.container-number", "1");
    labels.put("com.docker.compose.oneoff", "False");
    return labels;
  }

  static Map<String, String> env(int i) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    env.put("LANG", "C.UTF-8");
    env.put("APP_NAME", "app-" + i);
    env.put("APP_PORT", "8080");
    env.put("LOG_LEVEL", "info");
    env.put("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75");
    env.put("IAM_ROLE", role(i));
    return env;
  }

  private static String role(int i) {
    return "role-" + (i % ROLES);
  }

  // Benchmarks stay on loopback: refuse any other readiness address.
  private static URI loopback(URI url) throws IOException {
    if (url.getHost() == null || !InetAddress.getByName(url.getHost()).isLoopbackAddress()) {
      throw new IllegalArgumentException("READY_URL must be on loopback, e.g. http://127.0.0.1:18101/readyz; got " + url);
    }
    return url;
  }

  private static void awaitReady(URI url) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + READY_LIMIT.toNanos();
    while (true) {
      try {
        if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // The proxy is still starting.
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(url + " did not answer 200 within " + READY_LIMIT.toSeconds() + " s");
      }
      Thread.sleep(100);
    }
  }
}
