package dev.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.proxy.ProxyHarness.Caller;
import dev.berth.proxy.ProxyHarness.Reply;
import dev.berth.testing.Await;
import dev.berth.testing.DockerEngineEmulator;
import dev.berth.testing.StsEmulator;
import dev.berth.proxy.credentials.CredentialCache;
import dev.berth.proxy.credentials.CredentialSource;
import dev.berth.proxy.docker.Container;
import dev.berth.proxy.docker.StaticContainerIndex;
import dev.berth.proxy.local.LocalMode;
import dev.berth.proxy.policy.RolePolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * "Prefetched when a container starts", through the whole daemon: the real Docker index (the
 * proxy's default, at {@code --docker-host}) over the Docker Engine API emulator, STS over its
 * emulator. Each container is a loopback address, so the test can call as it.
 */
final class ContainerPrefetchTest {

  private static final String CREDS = "/latest/meta-data/iam/security-credentials/";
  private static final String ROLE_LABEL = "com.swipely.iam-docker.iam-profile";
  private static final ObjectMapper json = new ObjectMapper();

  @TempDir
  Path dir;

  private DockerEngineEmulator docker;
  private StsEmulator sts;
  private BerthProxy proxy;

  @BeforeEach
  void start() {
    docker = DockerEngineEmulator.builder().socket(dir.resolve("docker.sock")).start();
    sts = StsEmulator.start();
  }

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    docker.close();
    sts.close();
  }

  @Test
  void containerRunningBeforeTheProxy_prefetchedThenServedWithoutAnotherCall() throws Exception {
    String role = ProxyHarness.BASE_ARN + "early-role";
    docker.run("early", "127.0.0.20", Map.of(ROLE_LABEL, "early-role"), Map.of());

    startProxy();
    Await.until("the proxy prefetches early-role before any request", () -> sts.assumeRoleCalls(role) == 1);
    Reply reply = from(20).get(CREDS + "early-role");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(sts.issued(accessKeyId(reply)).orElseThrow().roleArn()).isEqualTo(role);
    assertThat(sts.assumeRoleCalls()).isEqualTo(1);
  }

  @Test
  void containerStartedAfterTheProxy_prefetchedFromItsRoleVariable() throws Exception {
    String role = ProxyHarness.BASE_ARN + "late-role";
    startProxy();
    Await.until("the proxy holds the events stream open", () -> docker.eventSubscribers() == 1);

    docker.run("late", "127.0.0.21", Map.of(), Map.of("IAM_ROLE", "late-role", "DB_PASSWORD", "hunter2"));
    Await.until("the proxy prefetches late-role before any request", () -> sts.assumeRoleCalls(role) == 1);
    Reply reply = from(21).get(CREDS + "late-role");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(sts.issued(accessKeyId(reply)).orElseThrow().roleArn()).isEqualTo(role);
    assertThat(sts.assumeRoleCalls()).isEqualTo(1);
  }

  @Test
  void containerStopped_itsPrefetchedCredentialsDropped() {
    String id = docker.run("brief", "127.0.0.22", Map.of(ROLE_LABEL, "brief-role"), Map.of());
    startProxy();
    Await.until("the proxy prefetches brief-role", () -> sts.assumeRoleCalls(ProxyHarness.BASE_ARN + "brief-role") == 1);
    Await.until("the credentials are cached", () -> proxy.scrapeMetrics().contains("berth_credentials_cached 1.0"));

    docker.stop(id);

    Await.until("the credentials are dropped", () -> proxy.scrapeMetrics().contains("berth_credentials_cached 0.0"));
    assertThat(sts.assumeRoleCalls()).isEqualTo(1);
  }

  @Test
  void restartOnABusyHost_everyRunningContainerPrefetched_butOnlyAFewStsCallsAtOnce() {
    int containers = 60;
    for (int i = 0; i < containers; i++) {
      docker.run("busy-" + i, "127.0.1." + (i + 1), Map.of(ROLE_LABEL, "busy-" + i), Map.of());
    }
    // Slow answers keep calls in flight, so the emulator sees how many the proxy runs together.
    sts.faults().delay(Duration.ofMillis(200));

    startProxy();
    Await.until("every running container is prefetched", () -> sts.assumeRoleCalls() == containers);

    assertThat(sts.mostRequestsAtOnce()).isBetween(2, 16);
    Await.until("all are cached", () -> proxy.scrapeMetrics().contains("berth_credentials_cached " + containers + ".0"));
  }

  @Test
  void announcementsFailOnce_prefetchingResumes() {
    AtomicInteger subscriptions = new AtomicInteger();
    // The first subscriber gets one container, then the error of a lost events stream.
    DelegatingIndex flaky = new DelegatingIndex(starts -> subscriptions.incrementAndGet() == 1
        ? starts.take(1).concatWith(Flux.error(new IllegalStateException("events stream lost")))
        : starts);
    StaticContainerIndex containers = flaky.containers;
    containers.put(new Container("c23", "/first", "busybox", Map.of(ROLE_LABEL, "first-role"), Map.of(),
        Set.of(ProxyHarness.loopback(23))));
    proxy = BerthProxy.builder(ProxyHarness.config("unix:///nonexistent.sock", sts, null, Duration.ZERO, false, 100))
        .containers(flaky).start();
    Await.until("first-role is prefetched", () -> sts.assumeRoleCalls(ProxyHarness.BASE_ARN + "first-role") == 1);

    containers.put(new Container("c24", "/later", "busybox", Map.of(ROLE_LABEL, "later-role"), Map.of(),
        Set.of(ProxyHarness.loopback(24))));

    Await.until("later-role is prefetched after the failure", () -> sts.assumeRoleCalls(ProxyHarness.BASE_ARN + "later-role") == 1);
    // Announced again on resubscribing, first-role came from the cache.
    assertThat(sts.assumeRoleCalls(ProxyHarness.BASE_ARN + "first-role")).isEqualTo(1);
  }

  @Test
  void containersRunningAtStart_fetchedOnceTheIndexIsFilled_notWhileItFills() {
    Sinks.Empty<Void> filled = Sinks.empty();
    DelegatingIndex index = new DelegatingIndex(starts -> starts);
    index.ready = filled.asMono();
    index.containers.put(new Container("c25", "/early", "busybox", Map.of(ROLE_LABEL, "early-role"), Map.of(),
        Set.of(ProxyHarness.loopback(25))));
    AtomicInteger fetches = new AtomicInteger();
    CredentialSource local = LocalMode.issuer(Duration.ofHours(1), Clock.systemUTC());
    CredentialCache cache = CredentialCache.caffeine(binding -> {
      fetches.incrementAndGet();
      return local.fetch(binding);
    }, CredentialCache.Settings.defaults());
    RolePolicy policy = new RolePolicy(RolePolicy.Settings.defaults().withBaseRoleArn(ProxyHarness.BASE_ARN));

    Disposable prefetch = ContainerPrefetch.start(index, policy, cache);
    try {
      // A restart on a busy host: the fetches (the SDK builds and signs each request on the thread
      // that asks) would otherwise run on the index's own thread, between the inspects of its fill.
      assertThat(fetches).as("nothing fetched while the index fills").hasValue(0);

      filled.tryEmitEmpty();
      Await.until("early-role is fetched and cached once the index is filled", () -> cache.size() == 1);
      assertThat(fetches).hasValue(1);
    } finally {
      prefetch.dispose();
    }
  }

  private void startProxy() {
    proxy = BerthProxy.start(ProxyHarness.config(docker.dockerHost(), sts, null, Duration.ZERO, false, 100));
  }

  private Caller from(int n) {
    return new Caller(ProxyHarness.loopback(n), proxy.address());
  }

  private static String accessKeyId(Reply reply) throws Exception {
    JsonNode document = json.readTree(reply.body());
    return document.get("AccessKeyId").asText();
  }
}
