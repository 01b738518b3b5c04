package dev.berth.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.iptables.Iptables;
import dev.berth.testing.Await;
import dev.berth.testing.DockerLab;
import dev.berth.testing.DockerLab.ContainerSpec;
import dev.berth.testing.DockerLab.RunningContainer;
import dev.berth.testing.LabClients;
import dev.berth.testing.StsEmulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The root {@code Dockerfile}, built and run as the README says, in the lab's engine: {@code docker
 * build --target prebuilt} from the packaged jar, on a base image made of this machine's JDK 17 and
 * iptables/nft/ip ({@code scripts/lab/jre-image}: the lab has no registry), then {@code docker run
 * --net=host --pid=host --cap-add NET_ADMIN -v docker.sock ... --iptables}, so the daemon in the image
 * installs the rules and the bridge guard itself. Containers on the bridge asking the plain
 * 169.254.169.254 each get their own role, and {@code docker stop} is a clean stop that removes the rules.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class DaemonImageIT {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final String BASE_IMAGE = "berth/jre-lab:image-it";
  private static final String IMAGE = "berth/daemon:image-it";
  private static final String NAME = "berth-image-it";
  private static final String BASE = "arn:aws:iam::" + StsEmulator.DEFAULT_ACCOUNT_ID + ":role/";
  private static final String CREDS = "http://169.254.169.254/latest/meta-data/iam/security-credentials/";
  private static final int PORT = 18_520;

  private DockerLab lab;
  private StsEmulator sts;
  private LabClients clients;
  private LabDocker docker;

  @BeforeAll
  void start() {
    lab = DockerLab.connect();
    LabClients.requireInsideLab(lab);
    sts = StsEmulator.start();
    clients = new LabClients(lab, sts);
    docker = new LabDocker(lab.dockerHost().toString(), ROOT);
  }

  @AfterAll
  void stop() {
    // Everything this test made, whatever failed: the daemon's container, the images, the rules.
    docker.run("rm", "-f", NAME);
    docker.run("rmi", "-f", IMAGE, BASE_IMAGE);
    // BuildKit's cache (the context and the layers, ~200 MB on the lab's vfs): only this test builds in the lab.
    docker.run("builder", "prune", "-af");
    Iptables.system().remove().block(Duration.ofSeconds(30));
    LabClients.exec("nft", "delete", "table", "bridge", "berth");
    lab.close();
    sts.close();
  }

  @Test
  void theImage_servesEachContainerItsOwnRole_andDockerStopRemovesTheRules() {
    assertThat(ROOT.resolve("daemon/target/berth-proxy.jar")).as("the packaged jar (Failsafe runs after package)").exists();
    docker.script("scripts/lab/jre-image", BASE_IMAGE);
    docker.ok("build", "-q", "--target", "prebuilt", "--build-arg", "BASE=" + BASE_IMAGE, "--build-arg", "PACKAGES=",
        "-t", IMAGE, ".");

    List<String> run = new ArrayList<>(List.of("run", "-d", "--name", NAME,
        "--net=host", "--pid=host", "--cap-add", "NET_ADMIN",
        "-v", lab.dockerHost().getPath() + ":/var/run/docker.sock",
        "-e", "AWS_EC2_METADATA_DISABLED=true", "-e", "AWS_ACCESS_KEY_ID=AKIDBERTHTEST0000000",
        "-e", "AWS_SECRET_ACCESS_KEY=berth-test-secret", "-e", "AWS_REGION=us-east-1",
        IMAGE, "--iptables", "--listen", "0.0.0.0:" + PORT, "--admin-listen", "127.0.0.1:" + (PORT + 1),
        "--disable-upstream", "--sts-endpoint", sts.endpoint().toString(), "--base-role-arn", BASE));
    docker.run("rm", "-f", NAME); // left by a run that was killed before its cleanup
    docker.ok(run.toArray(String[]::new));
    Await.until("the daemon in the image installs its rules", () -> {
      if (!"true".equals(docker.ok("inspect", "-f", "{{.State.Running}}", NAME).strip())) {
        throw new IllegalStateException("the daemon's container exited; its log: " + docker.run("logs", NAME));
      }
      return docker.run("logs", NAME).contains("iptables: metadata traffic on");
    });

    RunningContainer web = lab.start(ContainerSpec.named("image-web").withEnv("IAM_ROLE", "image-web").withHostRoot());
    RunningContainer worker = lab.start(ContainerSpec.named("image-worker")
        .withLabel("com.swipely.iam-docker.iam-profile", "image-worker").withHostRoot());
    for (var c : List.of(web, worker)) {
      LabClients.Seen listed = clients.curl(c, CREDS);
      assertThat(listed.status()).as("listing from %s; daemon log: %s", c.name(), docker.run("logs", NAME))
          .isEqualTo(200);
      assertThat(listed.body()).isEqualTo(c.name());
      LabClients.Seen document = clients.curl(c, CREDS + c.name());
      assertThat(document.status()).isEqualTo(200);
      assertThat(clients.roleOfDocument(document.body())).isEqualTo(BASE + c.name());
    }

    assertThat(docker.run("logs", NAME)).as("the guard runs inside the image (nft, --pid=host)")
        .contains("bridge guard installed");

    // The launcher execs java, so `docker stop`'s SIGTERM reaches the JVM (a shell as PID 1 would ignore
    // it until the SIGKILL 30 s later, and the rules would stay): a clean stop, rules removed.
    docker.ok("stop", "-t", "30", NAME);
    assertThat(docker.ok("inspect", "-f", "{{.State.ExitCode}}", NAME).strip()).isEqualTo("143");
    assertThat(docker.run("logs", NAME)).contains("iptables: Berth's rules removed").contains("bridge guard removed");
    assertThat(LabClients.run("iptables-save") + LabClients.run("ip6tables-save")).doesNotContain("BERTH");
  }
}
