package dev.berth.provisioner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.provisioner.Ec2Harness;
import dev.berth.provisioner.TestSpecs;
import dev.berth.testing.Ec2Emulator;
import java.io.IOException;
import dev.berth.testing.HelpTexts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line end to end, in-process, against the emulator: the issue's example spec,
 * unchanged, from commit to destroy. Credentials come from the environment (the test JVM's static
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), the endpoint from --endpoint-url.
 */
final class ProvisionerCliTest {

  @TempDir
  Path dir;

  private Ec2Harness harness;
  private Path spec;

  @BeforeEach
  void start() throws IOException {
    harness = Ec2Harness.start();
    spec = Files.writeString(dir.resolve("aws-example.json"), TestSpecs.EXAMPLE);
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void issueExample_commitInspectDescribeDestroy() {
    Run commit = cli("commit", spec.toString());
    assertThat(commit.status).as(commit.err).isZero();
    assertThat(commit.out).isEqualTo("Committed aws-example: Managing 1 instances\n");
    Ec2Emulator.Instance instance = harness.ec2.instances().get(0);
    assertThat(instance.tags()).containsEntry("Name", "infrakit-example").containsEntry("infrakit.group", "aws-example")
        .containsEntry("infrakit.config.hash", "iififwhdtfvy4mk2davcik2lxu57cgq3");
    assertThat(instance.userData()).isEqualTo("sh -c \"echo 'Hello, World!' > /hello\"");
    assertThat(Files.exists(dir.resolve("state/aws-example.json"))).isTrue();

    Run inspect = cli("inspect", "aws-example");
    assertThat(inspect.out.lines().toList()).containsExactly(
        String.format("%-30s\t%-30s\t%s", "ID", "LOGICAL", "TAGS"),
        String.format("%-30s\t%-30s\t%s", instance.instanceId(), instance.privateIpAddress(),
            "Name=infrakit-example,infrakit.config.hash=iififwhdtfvy4mk2davcik2lxu57cgq3,infrakit.group=aws-example"));

    harness.allRunning();
    Run describe = cli("describe");
    assertThat(describe.out).contains("aws-example").contains("converged");

    Run again = cli("commit", spec.toString());
    assertThat(again.out).isEqualTo("Committed aws-example: Managing 1 instances\n");
    assertThat(harness.ec2.instances()).hasSize(1);

    Thread destroyer = new Thread(() -> {
      Ec2Harness.await("destroy to terminate the instance",
          () -> harness.ec2.instances().get(0).state().equals("shutting-down"));
      harness.allTerminated();
    });
    destroyer.start();
    Run destroy = cli("destroy", "aws-example", "--poll-interval", "50ms", "--timeout", "20s");
    assertThat(destroy.status).as(destroy.err).isZero();
    assertThat(destroy.out).isEqualTo("Destroyed aws-example\n");
    assertThat(Files.exists(dir.resolve("state/aws-example.json"))).isFalse();
  }

  /** provisioner/README.md's walk-through, on the shipped example file, with the outputs it shows. */
  @Test
  void readmeWalkthrough_shippedExample_pretendCommitDescribeDestroy() {
    String example = Path.of("examples/aws-example.json").toString();

    Run pretend = cli("commit", "--pretend", example);
    assertThat(pretend.status).as(pretend.err).isZero();
    assertThat(pretend.out).isEqualTo("Pretend commit of aws-example: Managing 1 instances\n"
        + "Plan: create 1, terminate 0, replace 0\n");

    Run commit = cli("commit", example);
    assertThat(commit.status).as(commit.err).isZero();
    assertThat(commit.out).isEqualTo("Committed aws-example: Managing 1 instances\n");

    harness.allRunning();
    Run describe = cli("describe", "aws-example");
    assertThat(describe.status).as(describe.err).isZero();
    assertThat(describe.out.replaceAll("[ \t]+", " ")).isEqualTo(
        "GROUP DESIRED RUNNING PENDING OUTDATED STATUS\naws-example 1 1 0 0 converged\n");

    Thread destroyer = new Thread(() -> {
      Ec2Harness.await("destroy to terminate the instance",
          () -> harness.ec2.instances().get(0).state().equals("shutting-down"));
      harness.allTerminated();
    });
    destroyer.start();
    Run destroy = cli("destroy", "aws-example", "--poll-interval", "50ms");
    assertThat(destroy.status).as(destroy.err).isZero();
    assertThat(destroy.out).isEqualTo("Destroyed aws-example\n");
    assertThat(cli("describe").out).doesNotContain("aws-example");
  }

  @Test
  void commit_pretend_printsThePlanAndWritesNothing() {
    Run pretend = cli("commit", "--pretend", spec.toString());

    assertThat(pretend.status).as(pretend.err).isZero();
    assertThat(pretend.out).isEqualTo("Pretend commit of aws-example: Managing 1 instances\n"
        + "Plan: create 1, terminate 0, replace 0\n");
    assertThat(harness.ec2.calls("RunInstances")).isZero();
    assertThat(harness.ec2.calls("TerminateInstances")).isZero();
    assertThat(Files.exists(dir.resolve("state/aws-example.json"))).isFalse();
  }

  @Test
  void commit_launchFails_exit1WithTheReasonOnStderr() {
    harness.ec2.faults().fail("RunInstances", 1, Ec2Emulator.Fault.INSUFFICIENT_INSTANCE_CAPACITY);

    Run commit = cli("commit", spec.toString());

    assertThat(commit.status).isEqualTo(1);
    assertThat(commit.out).isEmpty();
    assertThat(commit.err).contains("aws-example", "InsufficientInstanceCapacity", "stored");
    assertThat(Files.exists(dir.resolve("state/aws-example.json"))).isTrue();
  }

  @Test
  void commit_badSpec_exit2WithThePathAndNoEc2Call() throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.json"), TestSpecs.EXAMPLE.replace("\"Size\": 1", "\"Size\": 1, \"LogicalIDs\": []"));

    Run run = cli("commit", bad.toString());

    assertThat(run.status).isEqualTo(2);
    assertThat(run.err).contains("$.Properties.Allocation: expected exactly one of \"Size\" or \"LogicalIDs\", got both");
    assertThat(harness.ec2.calls()).isEmpty();
  }

  @Test
  void commit_overTheCap_refusedUnlessRaised() throws IOException {
    Path big = Files.writeString(dir.resolve("big.json"), TestSpecs.EXAMPLE.replace("\"Size\": 1", "\"Size\": 150"));

    Run refused = cli("commit", big.toString());
    Run raised = cli("commit", "--max-instances", "150", "--batch-size", "50", big.toString());

    assertThat(refused.status).isEqualTo(2);
    assertThat(refused.err).contains("150 instances exceed the limit of 100", "--max-instances");
    assertThat(raised.status).as(raised.err).isZero();
    assertThat(harness.ec2.instances()).hasSize(150);
    assertThat(harness.ec2.calls("RunInstances")).isEqualTo(3);
  }

  @Test
  void free_unknownGroup_exit1AndSaysSo() {
    Run run = cli("free", "nope");

    assertThat(run.status).isEqualTo(1);
    assertThat(run.err).contains("no group 'nope' is committed");
  }

  @Test
  void watch_rounds_reconcilesAndPrintsWhatChanged() {
    cli("commit", spec.toString());
    harness.client.terminateInstances(r -> r.instanceIds(harness.ec2.instances().get(0).instanceId())).join();

    Run watch = cli("watch", "--rounds", "1", "--poll-interval", "50ms");

    assertThat(watch.status).as(watch.err).isZero();
    assertThat(watch.out).startsWith("aws-example: launched 1, terminated 0 (plan: create 1, terminate 0, replace 0)");
  }

  @Test
  void help_everyCommandAndItsEnvironmentVariables() {
    Run top = cli("--help");
    Run commit = cli("commit", "--help");

    assertThat(top.status).isZero();
    assertThat(top.out).contains("commit", "inspect", "describe", "destroy", "free", "watch");
    assertThat(commit.out).contains("--pretend", "--region", "--endpoint-url", "--state-dir", "AWS_ENDPOINT_URL_EC2",
        "BERTH_STATE_DIR", "BERTH_MAX_INSTANCES");
  }

  @Test
  void help_noParagraphCutMidSentence_everyCommandListedWithAWholeSentence() {
    Run top = cli("--help");

    assertThat(HelpTexts.unfinishedParagraphs(new picocli.CommandLine(new ProvisionerCommand()))).isEmpty();
    assertThat(HelpTexts.commandList(top.out)).containsKeys("commit", "inspect", "describe", "destroy", "free", "watch")
        .allSatisfy((name, text) -> assertThat(text).as(name).endsWith("."));
  }

  private Run cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.contains("--help")) {
      all.addAll(List.of("--region", "us-west-2", "--endpoint-url", harness.ec2.endpoint().toString(),
          "--state-dir", dir.resolve("state").toString(), "--max-attempts", "1"));
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = ProvisionerCli.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
    return new Run(status, out.toString(), err.toString());
  }

  private record Run(int status, String out, String err) {}
}
