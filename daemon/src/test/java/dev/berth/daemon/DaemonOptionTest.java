package dev.berth.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.provisioner.cli.ProvisionerCli;
import dev.berth.proxy.ProxyConfig;
import dev.berth.testing.Await;
import dev.berth.testing.Ec2Emulator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth-provisioner --daemon}: the same commands, acting through a running daemon's control
 * API (over TCP and over its unix socket), print what they print in-process against an identical EC2.
 */
class DaemonOptionTest {

  private static final String SPEC = """
      {"ID": "%s", "Properties": {
        "Allocation": {"Size": 2},
        "Instance": {"Plugin": "aws/ec2-instance",
          "Properties": {"RunInstancesInput": {"ImageId": "%s"}, "Tags": {"Name": "cli-test"}}},
        "Flavor": {"Plugin": "vanilla", "Properties": {"Init": ["echo hello"]}}}}
      """;

  @TempDir
  Path dir;

  private Ec2Emulator local;
  private Ec2Emulator daemonEc2;
  private Berth berth;

  @BeforeEach
  void start() throws Exception {
    local = emulator();
    daemonEc2 = emulator();
    berth = Berth.builder(ProxyConfig.builder().local(true).region("us-east-1")
            .listen(new InetSocketAddress("127.0.0.1", 0)).adminListen(new InetSocketAddress("127.0.0.1", 0)).build())
        .groupsDirectory(dir.resolve("daemon-groups")).encryptorStateDirectory(dir.resolve("daemon-encryptor"))
        .ec2Endpoint(daemonEc2.endpoint())
        .ec2PollInterval(Duration.ofMillis(100)).adminSocket(dir.resolve("admin.sock"))
        .build();
    berth.start().block();
  }

  @AfterEach
  void stop() {
    berth.stop().block();
    local.close();
    daemonEc2.close();
  }

  @Test
  void commitDescribeDestroy_printTheSame_inProcessAndThroughTheDaemon() {
    // Over the admin listener, then over the admin socket; a group of its own each time.
    for (String daemon : List.of("http://127.0.0.1:" + berth.adminAddress().getPort(), "unix:" + dir.resolve("admin.sock"))) {
      String group = daemon.startsWith("unix:") ? "web-unix" : "web-tcp";
      Path spec = write(group);
      assertThat(daemon(daemon, "commit", "--pretend", spec.toString())).isEqualTo(inProcess("commit", "--pretend", spec.toString()));
      assertThat(daemon(daemon, "commit", spec.toString())).isEqualTo(inProcess("commit", spec.toString()));
      Await.until("both to converge", () -> inProcess("describe", group).out().contains("converged")
          && daemon(daemon, "describe", group).out().contains("converged"));
      assertThat(daemon(daemon, "describe")).isEqualTo(inProcess("describe"));
      // The same table; only the instance ids differ (two emulators), and the daemon's are its EC2's.
      Run inspected = daemon(daemon, "inspect", group);
      assertThat(withoutInstanceIds(inspected)).isEqualTo(withoutInstanceIds(inProcess("inspect", group)));
      assertThat(inspected.out()).contains(daemonEc2.instances().stream()
          .filter(instance -> group.equals(instance.tags().get("infrakit.group"))).findFirst().orElseThrow().instanceId());
      assertThat(daemon(daemon, "destroy", group, "--poll-interval", "100ms"))
          .isEqualTo(inProcess("destroy", group, "--poll-interval", "100ms"))
          .extracting(Run::out).isEqualTo("Destroyed " + group + "\n");
    }
  }

  private static Run withoutInstanceIds(Run run) {
    return new Run(run.status(), run.out().replaceAll("i-[0-9a-f]{17}", "i-…").lines().sorted()
        .collect(java.util.stream.Collectors.joining("\n")), run.err());
  }

  @Test
  void errors_printTheSame_withTheSameStatus() throws Exception {
    String daemon = "http://127.0.0.1:" + berth.adminAddress().getPort();
    assertThat(daemon(daemon, "describe", "nobody")).isEqualTo(inProcess("describe", "nobody"))
        .extracting(Run::status).isEqualTo(1);
    Path bad = Files.writeString(dir.resolve("bad.json"), SPEC.formatted("web", Ec2Emulator.EXAMPLE_IMAGE_ID)
        .replace("\"Size\": 2", "\"Size\": -1"));
    // The CLI parses the spec before it acts, in both cases; a spec the daemon refuses comes back the same way.
    assertThat(daemon(daemon, "commit", bad.toString())).isEqualTo(inProcess("commit", bad.toString()))
        .extracting(Run::status).isEqualTo(2);
    assertThat(daemon(daemon, "free", "nobody")).isEqualTo(inProcess("free", "nobody"));
  }

  @Test
  void encrypt_printsTheNewImageAlone_andFailsTheSameWay() {
    String daemon = "http://127.0.0.1:" + berth.adminAddress().getPort();
    Run here = encryptor("encrypt", Ec2Emulator.EXAMPLE_IMAGE_ID, "--region", "us-east-1", "--endpoint-url",
        local.endpoint().toString(), "--state-dir", dir.resolve("local-encryptor").toString(), "--poll-interval", "100ms");
    Run there = encryptor("encrypt", Ec2Emulator.EXAMPLE_IMAGE_ID, "--daemon", daemon);
    assertThat(here.status()).isZero();
    assertThat(there.status()).isZero();
    assertThat(here.out()).matches("ami-[0-9a-f]+\n");
    assertThat(there.out()).matches("ami-[0-9a-f]+\n");
    assertThat(daemonEc2.createdResources()).containsKey(there.out().trim());

    // Refused by the options: nothing sent.
    assertThat(encryptor("encrypt", "ami-12345678", "--tag", "novalue", "--daemon", daemon))
        .isEqualTo(encryptor("encrypt", "ami-12345678", "--tag", "novalue", "--region", "us-east-1"))
        .extracting(Run::status).isEqualTo(2);
    // Refused by EC2's answer during the run: the same message and status.
    Run missingHere = encryptor("encrypt", "ami-0000000000000dead", "--region", "us-east-1", "--endpoint-url",
        local.endpoint().toString(), "--state-dir", dir.resolve("local-encryptor").toString(), "--poll-interval", "100ms");
    Run missingThere = encryptor("encrypt", "ami-0000000000000dead", "--daemon", daemon);
    assertThat(missingThere.status()).isEqualTo(missingHere.status()).isNotZero();
    assertThat(lastLine(missingThere.err())).isEqualTo(lastLine(missingHere.err()));
  }

  @Test
  void aDaemonThatIsNotThere_saysSo() {
    Run run = run(List.of("describe", "--daemon", "http://127.0.0.1:1"));
    assertThat(run.status()).isEqualTo(1);
    assertThat(run.err()).startsWith("berth-provisioner: cannot reach the Berth daemon at http://127.0.0.1:1")
        .contains("--admin-listen or --admin-socket");
    Run malformed = run(List.of("describe", "--daemon", "127.0.0.1:18001"));
    assertThat(malformed.status()).isEqualTo(2);
    assertThat(malformed.err()).contains("is not http://HOST:PORT or unix:PATH");
  }

  private record Run(int status, String out, String err) {}

  private Path write(String group) {
    try {
      return Files.writeString(dir.resolve(group + ".json"), SPEC.formatted(group, Ec2Emulator.EXAMPLE_IMAGE_ID));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private Run inProcess(String... args) {
    List<String> line = new ArrayList<>(List.of(args));
    line.addAll(List.of("--region", "us-east-1", "--endpoint-url", local.endpoint().toString(),
        "--state-dir", dir.resolve("local-groups").toString()));
    return run(line);
  }

  private Run daemon(String daemon, String... args) {
    List<String> line = new ArrayList<>(List.of(args));
    line.addAll(List.of("--daemon", daemon));
    return run(line);
  }

  private static Run encryptor(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = dev.berth.encryptor.cli.EncryptorCli.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(status, out.toString(), err.toString());
  }

  private static String lastLine(String text) {
    List<String> lines = text.lines().toList();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }

  private static Run run(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = ProvisionerCli.run(args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
    return new Run(status, out.toString(), err.toString());
  }

  private static Ec2Emulator emulator() {
    return Ec2Emulator.builder().pendingDuration(Duration.ofMillis(200)).shuttingDownDuration(Duration.ofMillis(200))
        .copyDuration(Duration.ofMillis(300)).start();
  }
}
