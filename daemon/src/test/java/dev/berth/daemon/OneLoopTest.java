package dev.berth.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.encryptor.EncryptSpec;
import dev.berth.provisioner.controller.GroupStatus;
import dev.berth.provisioner.spec.GroupSpec;
import dev.berth.proxy.ProxyConfig;
import dev.berth.runtime.BerthRuntime;
import dev.berth.testing.Await;
import dev.berth.testing.Ec2Emulator;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.blockhound.BlockHound;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;

/**
 * The one-loop promise, embedded as a service would run Berth: on the caller's single-threaded loop,
 * with BlockHound watching (installed for every test), the proxy serves, and the EC2 client's
 * completions, every group round's status and every step of an encryption job happen on that loop's
 * one thread, where nothing blocks. (That the STS call starts and completes on the loop is proven
 * in proxy-server, StsHostCredentialsTest.)
 */
class OneLoopTest {

  @TempDir
  Path state;

  @Test
  void proxyGroupsAndJobs_allRunOnTheCallersOneLoop() throws Exception {
    assertThat(BlockHound.builder()).as("BlockHound is on the class path; berth-testing installs it").isNotNull();
    LoopResources loop = BerthRuntime.newLoopResources(1);
    Ec2Emulator ec2 = Ec2Emulator.builder().pendingDuration(Duration.ofMillis(200)).copyDuration(Duration.ofMillis(300))
        .start();
    Berth berth = Berth.builder(ProxyConfig.builder().local(true).region("us-east-1")
            .listen(new InetSocketAddress("127.0.0.1", 0)).adminListen(new InetSocketAddress("127.0.0.1", 0)).build())
        .loopResources(loop)
        .groupsDirectory(state.resolve("groups")).encryptorStateDirectory(state.resolve("encryptor"))
        .ec2Endpoint(ec2.endpoint()).ec2PollInterval(Duration.ofMillis(100))
        .build();
    List<String> seenOn = new CopyOnWriteArrayList<>();
    Disposable.Composite watching = Disposables.composite();
    try {
      berth.start().block();
      BerthRuntime runtime = berth.runtime();
      List<GroupStatus> statuses = new CopyOnWriteArrayList<>();
      watching.add(berth.groupStatus().subscribe(status -> {
        seenOn.add("group status: " + Thread.currentThread().getName());
        statuses.add(status);
      }));
      watching.add(berth.encryptions().changes().skip(1)
          .subscribe(job -> seenOn.add("job " + job.state() + ": " + Thread.currentThread().getName())));

      String document = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + berth.address().getPort() + "/latest/meta-data/iam/security-credentials/berth-local")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(document).contains("\"Code\" : \"Success\"");
      Mono.fromFuture(() -> runtime.ec2().describeInstances())
          .doOnNext(answer -> seenOn.add("EC2 completion: " + Thread.currentThread().getName())).block();
      berth.groups().commit(GroupSpec.parse("""
          {"ID": "loop", "Properties": {"Allocation": {"Size": 3},
            "Instance": {"Plugin": "aws/ec2-instance", "Properties": {"RunInstancesInput": {"ImageId": "%s"}}},
            "Flavor": {"Plugin": "vanilla"}}}""".formatted(Ec2Emulator.EXAMPLE_IMAGE_ID)), false).block();
      String job = berth.encryptions().submit(EncryptSpec.builder(Ec2Emulator.EXAMPLE_IMAGE_ID).build()).block().id();

      Await.until("the group to converge", () -> statuses.stream().anyMatch(GroupStatus::converged));
      Await.until("the job to succeed", () -> berth.encryptions().get(job).orElseThrow().state().equals("succeeded"));
      String loopThread = runtime.eventLoop().next().submit(() -> Thread.currentThread().getName()).get();
      assertThat(seenOn).anyMatch(seen -> seen.startsWith("group status"))
          .anyMatch(seen -> seen.startsWith("job succeeded"))
          .anyMatch(seen -> seen.startsWith("EC2 completion"))
          .allMatch(seen -> seen.endsWith(": " + loopThread));
    } finally {
      watching.dispose();
      berth.stop().block();
      loop.disposeLater().block();
      ec2.close();
    }
  }
}
