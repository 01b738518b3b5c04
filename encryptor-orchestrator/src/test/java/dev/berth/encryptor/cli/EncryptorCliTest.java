package dev.berth.encryptor.cli;

import static dev.berth.encryptor.EncryptorHarness.KEY;
import static dev.berth.encryptor.EncryptorHarness.PLAIN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.encryptor.EncryptorHarness;
import dev.berth.testing.Ec2Emulator.Fault;
import dev.berth.testing.HelpTexts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line in-process against the emulator: output, exit codes, refusals. */
final class EncryptorCliTest {

  private EncryptorHarness harness;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void start() {
    harness = EncryptorHarness.start();
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void encrypt_success_stdoutHoldsOnlyTheNewImageId() {
    int status = run("encrypt", PLAIN, "--kms-key-id", KEY, "--tag", "team=web", "--encrypted-ami-name", "web encrypted");

    assertThat(status).isZero();
    assertThat(out.toString()).matches("ami-[0-9a-f]{17}\\R");
    String id = out.toString().trim();
    assertThat(harness.ec2.createdResources().get(id)).containsEntry("team", "web");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "--kms-key-id alias/ebs | --kms-key-id 'alias/ebs' is not a KMS key id or key ARN",
      "--pv | --pv is refused: no current instance type runs paravirtual images",
      "--encrypted-ami-name x | --encrypted-ami-name 'x' is not a legal image name",
      "--tag novalue | --tag 'novalue' has no key; expected KEY=VALUE",
      "--tag berth:x=1 | --tag berth:x: keys starting with aws: or berth: are reserved",
      "--strategy magic | --strategy 'magic' is unknown; expected native or instance",
      "--strategy instance | --encryptor-ami or --encryptor-catalog is required with --strategy instance",
      "--proxy proxy:3128 --proxy-config-file /etc/hosts | --proxy and --proxy-config-file exclude each other",
      "--proxy-config-file /nonexistent/proxy.yaml | --proxy-config-file /nonexistent/proxy.yaml cannot be read",
      "--proxy nohost | --proxy 'nohost' is not HOST:PORT",
      "--status-port 81 | --status-port 81 is not allowed; expected 1 to 65535 but 81",
      "--status-cidr 0.0.0.0/0 | --status-cidr '0.0.0.0/0' is not a CIDR block narrower than /0",
      "--region= | --region is required (or AWS_REGION)",
      "--timeout 2days | Invalid value for option '--timeout': '2days' is not a duration",
      "--guest-instance-type M3 | --guest-instance-type 'M3' is not an instance type",
      "--security-group default | --security-group 'default' is not a security group id",
      "--encrypted-ami-name berth-test-encrypted | --encrypted-ami-name 'berth-test-encrypted' is already used by"})
  void encrypt_invalidOption_exit2_oneLineNamingIt_noWriteCall(String option, String message) {
    List<String> args = new ArrayList<>(List.of("encrypt", PLAIN));
    args.addAll(List.of(option.split(" ")));

    int status = run(args.toArray(String[]::new));

    assertThat(status).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString().lines().filter(l -> !l.contains(" INFO ")).findFirst().orElseThrow()).contains(message);
    assertThat(harness.writeCalls()).isEmpty();
  }

  @Test
  void encrypt_unknownImage_exit2_noWriteCall() {
    int status = run("encrypt", "ami-99999999");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("berth-encryptor: ID ami-99999999 does not exist");
    assertThat(harness.writeCalls()).isEmpty();
  }

  @Test
  void encrypt_ec2Fails_exit1_afterCleanup() {
    harness.ec2.faults().fail("DescribeSnapshots", 1, Fault.INTERNAL_ERROR);

    int status = run("encrypt", PLAIN, "--kms-key-id", KEY);

    assertThat(status).isEqualTo(1);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("berth-encryptor: EC2 InternalError");
    assertThat(harness.ec2.createdResources()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"--help", "encrypt --help", "update --help", "diag --help", "share-logs --help", "cleanup --help"})
  void help_everyCommand_exit0(String args) {
    assertThat(run(args.split(" "))).isZero();
    assertThat(out.toString()).contains("Usage: berth-encryptor");
  }

  @Test
  void help_noParagraphCutMidSentence_everyCommandListedWithAWholeSentence() {
    StringWriter out = new StringWriter();
    assertThat(EncryptorCli.run(new String[] {"--help"}, new PrintWriter(out), new PrintWriter(new StringWriter())))
        .isZero();

    assertThat(HelpTexts.unfinishedParagraphs(new picocli.CommandLine(new EncryptorCommand()))).isEmpty();
    assertThat(HelpTexts.commandList(out.toString())).containsKeys("encrypt", "update", "diag", "share-logs", "cleanup")
        .allSatisfy((name, text) -> assertThat(text).as(name).endsWith("."));
  }

  @Test
  void help_encrypt_documentsEveryOptionWithItsEnvironmentVariable() {
    run("encrypt", "--help");

    assertThat(out.toString()).contains("--encrypted-ami-name", "BERTH_ENCRYPTED_AMI_NAME", "--kms-key-id",
        "BERTH_KMS_KEY_ID", "--tag", "BERTH_TAGS", "--state-dir", "BERTH_ENCRYPTOR_STATE_DIR", "--timeout",
        "BERTH_TIMEOUT", "--endpoint-url", "AWS_ENDPOINT_URL_EC2", "--no-validate", "--strategy", "--pv",
        "--guest-instance-type", "t3.small", "--region", "AWS_REGION");
  }

  @Test
  void update_ofAnEncryptedResult_printsOnlyTheNewId() {
    run("encrypt", PLAIN, "--kms-key-id", KEY);
    String first = out.toString().trim();
    out.getBuffer().setLength(0);

    int status = run("update", first, "--kms-key-id", KEY.replace("5555", "7777"));

    assertThat(status).isZero();
    assertThat(out.toString()).matches("ami-[0-9a-f]{17}\\R").doesNotContain(first);
  }

  @Test
  void diag_runningInstance_stateChecksVolumesConsole() {
    String id = harness.client.runInstances(r -> r.imageId(PLAIN).minCount(1).maxCount(1)
        .blockDeviceMappings(m -> m.deviceName("/dev/xvda").ebs(e -> e.encrypted(true).kmsKeyId(KEY)))).join()
        .instances().get(0).instanceId();
    try (var waiter = software.amazon.awssdk.services.ec2.waiters.Ec2AsyncWaiter.builder().client(harness.client)
        .overrideConfiguration(o -> o.backoffStrategyV2(software.amazon.awssdk.retries.api.BackoffStrategy
            .fixedDelayWithoutJitter(EncryptorHarness.POLL))).build()) {
      waiter.waitUntilInstanceRunning(r -> r.instanceIds(id)).join();
    }
    int writesBefore = harness.ec2.calls("RunInstances");

    int status = run("diag", "--instance", id);

    assertThat(status).isZero();
    assertThat(out.toString()).contains("instance " + id + ": running", "status checks: system ok, instance ok",
        "/dev/xvda vol-", "encrypted under " + KEY, id + " login:");
    assertThat(harness.writeCalls()).containsExactly("RunInstances");
    assertThat(harness.ec2.calls("RunInstances")).isEqualTo(writesBefore);
  }

  @Test
  void shareLogs_printsOnlyTheSnapshotId() {
    String id = harness.client.runInstances(r -> r.imageId(PLAIN).minCount(1).maxCount(1)).join()
        .instances().get(0).instanceId();

    int status = run("share-logs", "--instance", id, "--to-account", "210987654321");

    assertThat(status).isZero();
    assertThat(out.toString()).matches("snap-[0-9a-f]{17}\\R");
  }

  @Test
  void diag_unknownInstance_exit2() {
    assertThat(run("diag", "--instance", "i-0123456789abcdef0")).isEqualTo(2);
    assertThat(err.toString()).contains("--instance i-0123456789abcdef0 does not exist");
  }

  @Test
  void cleanup_badSessionId_exit2() {
    assertThat(run("cleanup", "not-a-session")).isEqualTo(2);
    assertThat(err.toString()).contains("SESSION 'not-a-session' is not a session id");
  }

  @Test
  void cleanup_noStaleSessions_exit0() {
    assertThat(run("cleanup", "--all-stale")).isZero();
    assertThat(out.toString()).isEmpty();
  }

  private int run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.contains("--help")) {
      if (all.stream().noneMatch(a -> a.startsWith("--region"))) {
        all.addAll(List.of("--region", "us-west-2"));
      }
      all.addAll(List.of("--endpoint-url", harness.ec2.endpoint().toString(), "--state-dir", harness.stateDir.toString(),
          "--poll-interval", "20ms", "--max-attempts", "1"));
    }
    return EncryptorCli.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
  }
}
