package dev.berth.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.DockerLab;
import dev.berth.testing.DockerLab.ContainerSpec;
import dev.berth.testing.DockerLab.ExecResult;
import dev.berth.testing.DockerLab.RunningContainer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The README's run command, as a user runs it: the packaged jar in {@code --local} mode, and the
 * AWS CLI v2 exporting credentials from it over loopback. Both run inside one container of the lab,
 * so the CLI's loopback is the proxy's and nothing leaves the lab's namespace.
 */
final class ReadmeRunCommandIT {

  private static final Path JAR = Path.of("target/berth-proxy.jar").toAbsolutePath();

  @Test
  void localMode_awsCliExportsLocalCredentials() {
    assertThat(JAR).as("the packaged jar (Failsafe runs after package)").exists();
    String script = String.join("\n",
        "set -e",
        "java -XX:-UsePerfData -jar " + JAR + " --local --listen 127.0.0.1:18000 --admin-listen 127.0.0.1:18001 &",
        "proxy=$!",
        "trap 'kill $proxy' EXIT",
        "curl -sf --retry 60 --retry-connrefused --retry-delay 1 -o /dev/null http://127.0.0.1:18001/healthz",
        "env -i PATH=/usr/bin:/bin HOME=/tmp AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent"
            + " AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:18000/ /usr/bin/aws configure export-credentials");
    try (DockerLab lab = DockerLab.connect()) {
      RunningContainer box = lab.start(ContainerSpec.named("readme-run").withHostRoot());
      ExecResult result = lab.exec(box, Duration.ofSeconds(120), "chroot", DockerLab.HOST_ROOT,
          "/bin/sh", "-c", script);
      assertThat(result.exitCode()).as(result.stderr()).isZero();
      assertThat(result.stdout()).contains("\"AccessKeyId\": \"ASIALOCAL").contains("\"Expiration\"");
    }
  }

}
