package dev.berth.encryptor;

import static dev.berth.encryptor.EncryptorHarness.ENCRYPTOR;
import static dev.berth.encryptor.EncryptorHarness.KEY;
import static dev.berth.encryptor.EncryptorHarness.PLAIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.berth.testing.EncryptorStatusEmulator;
import dev.berth.testing.EncryptorStatusEmulator.Status;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Strategy instance against the EC2 emulator and an emulated encryptor's status port. The emulator
 * gives loopback addresses in launch order, so the guest is 127.0.1.4 and the encryptor 127.0.1.5,
 * where the status emulator listens: the orchestrator polls it exactly as it would a real one.
 */
final class InstanceEncryptionTest {

  private static final String ENCRYPTOR_ADDRESS = "127.0.1.5";
  private static final String SUBNET = "subnet-0a1b2c3d4e5f60718";

  private EncryptorHarness harness;
  private EncryptorStatusEmulator status;
  private Session session;

  @BeforeEach
  void start() {
    harness = EncryptorHarness.start();
    status = EncryptorStatusEmulator.builder().host(ENCRYPTOR_ADDRESS).start();
    session = Session.create();
  }

  @AfterEach
  void stop() {
    status.close();
    harness.close();
  }

  @Test
  void encrypt_encryptorFinishes_imageRegisteredUnderTheKey_temporariesGone() {
    status.script(Status.of("initial", 0, 0), Status.of("encrypting", 4, 8), Status.of("finished", 8, 8));
    java.util.List<Progress> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    Encryptor listening = Encryptor.builder(harness.runtime).stateDirectory(harness.stateDir)
        .pollInterval(EncryptorHarness.POLL).progress(heard::add).build();

    String id = listening.encrypt(spec(Duration.ofSeconds(20)), session).block(Duration.ofSeconds(60));

    var image = harness.client.describeImages(r -> r.imageIds(id)).join().images().get(0);
    String snapshot = image.blockDeviceMappings().get(0).ebs().snapshotId();
    assertThat(harness.client.describeSnapshots(r -> r.snapshotIds(snapshot)).join().snapshots().get(0).kmsKeyId())
        .isEqualTo(KEY);
    assertThat(status.requests()).isGreaterThanOrEqualTo(3);
    assertThat(heard).extracting(Progress::percent).containsExactly(-1, 50, 100);
    assertThat(harness.ec2.instances()).hasSize(2).allSatisfy(i -> assertThat(i.state()).isIn("shutting-down", "terminated"));
    assertThat(harness.ec2.instance(harness.ec2.instances().get(1).instanceId()).orElseThrow().privateIpAddress())
        .isEqualTo(ENCRYPTOR_ADDRESS);
    assertThat(harness.ec2.instances().get(1).userData()).contains("\"status_port\":" + status.port(),
        "\"ntp_servers\":[\"ntp.example.com\"]", "\"identity_token\":\"t0k3n\"");
    assertThat(harness.ec2.instances().get(1).instanceType()).isEqualTo(EncryptSpec.DEFAULT_INSTANCE_TYPE);
    assertThat(harness.leftovers()).isEmpty();
    assertThat(harness.ec2.createdResources()).containsOnlyKeys(id, snapshot);
    assertThat(harness.writeCalls()).containsExactlyInAnyOrder("RunInstances", "StopInstances", "CreateSnapshot",
        "CreateSecurityGroup", "AuthorizeSecurityGroupIngress", "RegisterImage", "CreateTags", "TerminateInstances",
        "DeleteSnapshot", "DeleteSecurityGroup");
  }

  @Test
  void encrypt_encryptorFails_failureCodeAndConsole_everythingCleanedUp() {
    status.script(Status.of("encrypting", 2, 8), new Status("failed", 2, 8, "E_UNSUPPORTED_GUEST"));

    EncryptorException e = catchThrowableOfType(EncryptorException.class,
        () -> harness.encryptor.encrypt(spec(Duration.ofSeconds(20)), session).block(Duration.ofSeconds(60)));

    assertThat(e.getMessage()).contains("the encryptor failed: E_UNSUPPORTED_GUEST", "encryptor console:", "login:");
    assertThat(harness.ec2.createdResources()).isEmpty();
  }

  @Test
  void encrypt_encryptorSilent_statusTimeout_everythingCleanedUp() {
    status.close(); // nothing answers on the encryptor's status port

    EncryptorException e = catchThrowableOfType(EncryptorException.class,
        () -> harness.encryptor.encrypt(spec(Duration.ofMillis(500)), session).block(Duration.ofSeconds(60)));

    assertThat(e.getMessage()).contains("the encryptor made no progress for --status-timeout");
    assertThat(harness.ec2.createdResources()).isEmpty();
  }

  @Test
  void encrypt_missingEncryptorImage_refusedBeforeAnyWrite() {
    EncryptorException e = catchThrowableOfType(EncryptorException.class, () -> harness.encryptor.encrypt(
        EncryptSpec.builder(PLAIN).strategy(Strategy.INSTANCE).subnetId(SUBNET).kmsKeyId(KEY)
            .instance(InstanceSettings.builder().encryptorImageId("ami-0ddddddddddddddd0").statusPort(status.port())
                .build()).build(), session).block(Duration.ofSeconds(30)));

    assertThat(e.kind()).isEqualTo(EncryptorException.Kind.INVALID);
    assertThat(e.getMessage()).startsWith("--encryptor-ami ami-0ddddddddddddddd0 does not exist");
    assertThat(harness.writeCalls()).isEmpty();
  }

  @Test
  void spec_instanceWithoutCidrOrSubnet_refused_wideCidrRefused() {
    EncryptorException noRoute = catchThrowableOfType(EncryptorException.class, () -> EncryptSpec.builder(PLAIN)
        .strategy(Strategy.INSTANCE).instance(InstanceSettings.builder().encryptorImageId(ENCRYPTOR).build()).build());
    EncryptorException open = catchThrowableOfType(EncryptorException.class,
        () -> InstanceSettings.builder().encryptorImageId(ENCRYPTOR).statusCidr("0.0.0.0/0").build());
    EncryptorException port81 = catchThrowableOfType(EncryptorException.class,
        () -> InstanceSettings.builder().encryptorImageId(ENCRYPTOR).statusPort(81).build());
    EncryptorException proxies = catchThrowableOfType(EncryptorException.class, () -> InstanceSettings.builder()
        .encryptorImageId(ENCRYPTOR).proxies(java.util.List.of("proxy:3128")).proxyConfig("x").build());

    assertThat(noRoute.getMessage()).startsWith("--status-cidr or --subnet is required with --strategy instance");
    assertThat(open.getMessage()).startsWith("--status-cidr '0.0.0.0/0' is not a CIDR block narrower than /0");
    assertThat(port81.getMessage()).startsWith("--status-port 81 is not allowed");
    assertThat(proxies.getMessage()).startsWith("--proxy and --proxy-config-file exclude each other");
  }

  /** The silence limit in virtual time: an encryptor that repeats itself for ten minutes ends the run. */
  @Test
  void progress_sameAnswerForTheStatusTimeout_fails_newBytesResetTheClock() {
    StepVerifier.withVirtualTime(() -> StatusPoller.progress(Flux.interval(Duration.ofSeconds(10))
            .map(tick -> tick < 30 ? Status.of("encrypting", tick, 100) : Status.of("encrypting", 30, 100))
            .map(s -> new EncryptorStatus(s.state(), s.bytesWritten(), s.bytesTotal(), null)), Duration.ofMinutes(10)))
        .expectSubscription()
        .thenAwait(Duration.ofMinutes(5))
        .expectNextCount(30)
        .thenAwait(Duration.ofMinutes(10).plusSeconds(10))
        .expectNextCount(1)
        .expectErrorMatches(e -> e.getMessage().contains("no progress for --status-timeout"))
        .verify(Duration.ofSeconds(5));
  }

  @Test
  void statusCidr_loopbackSubnet_thisMachinesAddressAsA32() {
    assertThat(StatusCidr.toward("127.1.0.0/16")).matches("127\\.\\d+\\.\\d+\\.\\d+/32");
  }

  private EncryptSpec spec(Duration statusTimeout) {
    return EncryptSpec.builder(PLAIN).strategy(Strategy.INSTANCE).subnetId(SUBNET).kmsKeyId(KEY)
        .encryptedName("guest encrypted by instance")
        .instance(InstanceSettings.builder().encryptorImageId(ENCRYPTOR).statusPort(status.port())
            .statusTimeout(statusTimeout).ntpServers(java.util.List.of("ntp.example.com")).token("t0k3n").build())
        .build();
  }
}
