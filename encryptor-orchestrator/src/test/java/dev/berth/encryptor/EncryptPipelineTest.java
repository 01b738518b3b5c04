package dev.berth.encryptor;

import static dev.berth.encryptor.EncryptorHarness.KEY;
import static dev.berth.encryptor.EncryptorHarness.MARKETPLACE;
import static dev.berth.encryptor.EncryptorHarness.PLAIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.berth.testing.Ec2Emulator.Fault;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Tag;

final class EncryptPipelineTest {

  private EncryptorHarness harness;
  private Session session;

  @BeforeEach
  void start() {
    harness = EncryptorHarness.start();
    session = Session.create();
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void encrypt_plainImage_copyUnderTheKey_verifiedAndNothingElseLeft() {
    String id = encrypt(EncryptSpec.builder(PLAIN).encryptedName("berth-test encrypted").kmsKeyId(KEY).tag("team", "web").build());

    Image image = image(id);
    assertThat(image.name()).isEqualTo("berth-test encrypted");
    assertThat(image.tags()).contains(tag(SessionTags.SESSION, session.id()), tag(SessionTags.ENCRYPTED_FROM, PLAIN),
        tag(SessionTags.VERIFIED, session.id()), tag("team", "web"));
    Snapshot snapshot = snapshot(image);
    assertThat(snapshot.encrypted()).isTrue();
    assertThat(snapshot.kmsKeyId()).isEqualTo(KEY);
    assertThat(harness.ec2.createdResources()).containsOnlyKeys(id, snapshot.snapshotId());
    assertThat(harness.journal(session).outcome()).contains(JournalState.SUCCEEDED);
    assertThat(harness.journal(session).kept()).containsExactlyInAnyOrder(id, snapshot.snapshotId());
    // The AWS calls of one run, as the README reports them.
    assertThat(harness.writeCalls()).containsExactlyInAnyOrder("CopyImage", "CreateTags");
    assertThat(harness.ec2.calls("CopyImage")).isEqualTo(1);
  }

  @Test
  void encrypt_noKey_accountDefaultKey_derivedName() {
    String id = encrypt(EncryptSpec.builder(PLAIN).build());

    Image image = image(id);
    assertThat(snapshot(image).kmsKeyId()).isEqualTo(harness.ec2.defaultKmsKeyId());
    assertThat(image.name()).startsWith("berth-test (encrypted ").endsWith(session.id().substring(4, 10) + ")");
  }

  @Test
  void encrypt_billingProductCodes_launchStopCreateImage_instanceAndVolumesGone() {
    String id = encrypt(EncryptSpec.builder(MARKETPLACE).encryptedName("vendor encrypted").kmsKeyId(KEY).build());

    Image image = image(id);
    assertThat(snapshot(image).kmsKeyId()).isEqualTo(KEY);
    assertThat(image.productCodes()).isNotEmpty();
    assertThat(harness.ec2.calls("CopyImage")).isZero();
    assertThat(harness.ec2.instances()).singleElement().satisfies(i -> {
      assertThat(i.state()).isIn("shutting-down", "terminated");
      assertThat(i.tags()).containsEntry(SessionTags.SESSION, session.id());
    });
    assertThat(harness.leftovers()).isEmpty();
    assertThat(harness.writeCalls()).containsExactlyInAnyOrder("RunInstances", "StopInstances", "CreateImage",
        "CreateTags", "TerminateInstances");
  }

  /** Each step of each path fails once; afterwards the emulator holds nothing the run made. */
  @ParameterizedTest(name = "{0}: {1} fails")
  @CsvSource({
      "ami-12345678, CopyImage, 0",
      "ami-12345678, DescribeImages, 2",
      "ami-12345678, DescribeSnapshots, 0",
      "ami-12345678, CreateTags, 0",
      "ami-0aaaaaaaaaaaaaaaa, RunInstances, 0",
      "ami-0aaaaaaaaaaaaaaaa, DescribeInstances, 0",
      "ami-0aaaaaaaaaaaaaaaa, StopInstances, 0",
      "ami-0aaaaaaaaaaaaaaaa, CreateImage, 0",
      "ami-0aaaaaaaaaaaaaaaa, DescribeImages, 2",
      "ami-0aaaaaaaaaaaaaaaa, DescribeSnapshots, 0",
      "ami-0aaaaaaaaaaaaaaaa, CreateTags, 0"})
  void encrypt_stepFails_everythingCleanedUp(String imageId, String action, int skip) {
    harness.ec2.faults().fail(action, skip, 1, Fault.INTERNAL_ERROR);

    EncryptorException e = failure(EncryptSpec.builder(imageId).encryptedName("doomed").kmsKeyId(KEY).build());

    assertThat(e.kind()).isEqualTo(EncryptorException.Kind.FAILED);
    assertThat(e.getMessage()).contains("InternalError");
    assertThat(harness.ec2.createdResources()).isEmpty();
    assertThat(harness.journal(session).outcome()).contains(JournalState.CLEANED);
  }

  @Test
  void encrypt_finalTerminateThrottled_cleanupRetries_succeeds() {
    harness.ec2.faults().fail("TerminateInstances", 2, Fault.REQUEST_LIMIT_EXCEEDED);

    encrypt(EncryptSpec.builder(MARKETPLACE).kmsKeyId(KEY).build());

    assertThat(harness.ec2.calls("TerminateInstances")).isEqualTo(3);
    assertThat(harness.leftovers()).isEmpty();
  }

  @Test
  void encrypt_cleanupKeepsFailing_leftoverListed_laterCleanupFinishes() {
    harness.ec2.faults().fail("CreateTags", 1, Fault.INTERNAL_ERROR).fail("DeregisterImage", 6, Fault.UNAVAILABLE);

    EncryptorException e = failure(EncryptSpec.builder(PLAIN).encryptedName("stuck").kmsKeyId(KEY).build());

    assertThat(e.getMessage()).contains("cleanup could not delete", "ami-", "cleanup " + session.id());
    assertThat(harness.journal(session).outcome()).contains(JournalState.LEFTOVERS);
    assertThat(harness.leftovers()).isNotEmpty();

    CleanupReport report = harness.encryptor.cleanup(session.id()).block();
    assertThat(report.clean()).isTrue();
    assertThat(harness.ec2.createdResources()).isEmpty();
    assertThat(harness.journal(session).outcome()).contains(JournalState.CLEANED);
  }

  @Test
  void encrypt_timeout_cleanedUp() {
    try (EncryptorHarness slow = EncryptorHarness.withCopyDuration(Duration.ofHours(1))) {
      EncryptorException e = catchThrowableOfType(EncryptorException.class, () -> slow.encryptor
          .encrypt(EncryptSpec.builder(PLAIN).kmsKeyId(KEY).timeout(Duration.ofMillis(300)).build(), session).block());

      assertThat(e.getMessage()).containsAnyOf("--timeout", "gave up waiting");
      assertThat(slow.ec2.createdResources()).isEmpty();
      assertThat(slow.journal(session).outcome()).contains(JournalState.CLEANED);
    }
  }

  /**
   * The deadline passes while CopyImage is on its way (EC2 has made the image, its answer is late):
   * cleanup waits for the answer and finds the image by its tag, though the journal never heard of it.
   */
  @Test
  void encrypt_timeoutDuringCreateCall_cleanupWaitsForItAndFindsTheImageByTag() {
    harness.ec2.faults().delay("CopyImage", 1, Duration.ofSeconds(2));

    EncryptorException e = failure(EncryptSpec.builder(PLAIN).kmsKeyId(KEY).timeout(Duration.ofMillis(500)).build());

    assertThat(e.getMessage()).contains("--timeout");
    assertThat(harness.journal(session).created()).isEmpty();
    assertThat(harness.ec2.createdResources()).isEmpty();
    assertThat(harness.journal(session).outcome()).contains(JournalState.CLEANED);
  }

  @Test
  void encrypt_secondRunOfTheResult_refusedAsAlreadyEncrypted() {
    String id = encrypt(EncryptSpec.builder(PLAIN).kmsKeyId(KEY).build());

    EncryptorException e = failure(EncryptSpec.builder(id).build());

    assertThat(e.kind()).isEqualTo(EncryptorException.Kind.INVALID);
    assertThat(e.getMessage()).startsWith("ID " + id + " was already encrypted by berth-encryptor (from " + PLAIN + ")");
  }

  @Test
  void update_newKey_keepsNameStemAndTags_sourceUntouched() {
    String first = encrypt(EncryptSpec.builder(PLAIN).kmsKeyId(KEY).tag("team", "web").build());
    String otherKey = KEY.replace("5555", "6666");
    Session second = Session.create();

    String updated = harness.encryptor.update(EncryptSpec.builder(first).kmsKeyId(otherKey).build(), second)
        .block(Duration.ofSeconds(30));

    Image image = image(updated);
    assertThat(snapshot(image).kmsKeyId()).isEqualTo(otherKey);
    assertThat(image.name()).startsWith("berth-test (encrypted ").endsWith(second.id().substring(4, 10) + ")");
    assertThat(image.tags()).contains(tag("team", "web"), tag(SessionTags.ENCRYPTED_FROM, PLAIN),
        tag(SessionTags.SESSION, second.id()), tag(SessionTags.VERIFIED, second.id()));
    assertThat(snapshot(image(first)).kmsKeyId()).isEqualTo(KEY);
  }

  @Test
  void update_imageNotMadeByThisTool_refused() {
    EncryptorException e = failure(EncryptSpec.builder(PLAIN).kmsKeyId(KEY).build(), true);

    assertThat(e.kind()).isEqualTo(EncryptorException.Kind.INVALID);
    assertThat(e.getMessage()).contains("was not made by berth-encryptor");
    assertThat(harness.writeCalls()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "unknown image | ami-99999999 | | | ID ami-99999999 does not exist",
      "name taken | ami-12345678 | berth-test-encrypted | | --encrypted-ami-name 'berth-test-encrypted' is already used by ami-0123456789abcdef0",
      "no such subnet | ami-12345678 | fresh | subnet-0000000000000000f | --subnet subnet-0000000000000000f does not exist",
      "two VPCs | ami-12345678 | fresh | subnet-0b2c3d4e5f6071829 | expected the subnet and every security group in one VPC"})
  void encrypt_invalid_refusedWithoutAnyWriteCall(String why, String imageId, String name, String subnet, String message) {
    EncryptorException e = failure(EncryptSpec.builder(imageId).encryptedName(name).subnetId(subnet)
        .securityGroupIds(subnet == null ? java.util.List.of() : java.util.List.of("sg-0c1f5a2b3d4e6f708")).build());

    assertThat(e.kind()).isEqualTo(EncryptorException.Kind.INVALID);
    assertThat(e.getMessage()).contains(message);
    assertThat(harness.writeCalls()).isEmpty();
    assertThat(harness.stateDir.resolve(session.id() + Journal.SUFFIX)).doesNotExist();
  }

  @Test
  void cleanupStale_deadProcessOnThisHost_cleaned_liveOneLeftAlone() throws Exception {
    // A run "crashed" right after CopyImage: its journal names a process that has exited.
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Session dead = new Session("enc-00000000000000d1", gone.pid(), null, Session.hostName(), java.time.Instant.now());
    Journal journal = Journal.start(harness.stateDir, dead, "encrypt " + PLAIN, java.time.Clock.systemUTC(), reactor.core.scheduler.Schedulers.immediate()).block();
    String copied = harness.client.copyImage(r -> r.sourceImageId(PLAIN).sourceRegion("us-west-2").name("orphan")
        .encrypted(true).tagSpecifications(SessionTags.specifications(Map.of(SessionTags.SESSION, dead.id()),
            software.amazon.awssdk.services.ec2.model.ResourceType.IMAGE,
            software.amazon.awssdk.services.ec2.model.ResourceType.SNAPSHOT))).join().imageId();
    journal.created(copied).block();
    Journal.start(harness.stateDir, session, "encrypt " + PLAIN, java.time.Clock.systemUTC(), reactor.core.scheduler.Schedulers.immediate()).block();

    var reports = harness.encryptor.cleanupStale().collectList().block();

    assertThat(reports).singleElement().satisfies(r -> {
      assertThat(r.sessionId()).isEqualTo(dead.id());
      assertThat(r.deleted()).contains(copied).hasSize(2);
    });
    assertThat(harness.ec2.createdResources()).isEmpty();
  }

  private String encrypt(EncryptSpec spec) {
    return harness.encryptor.encrypt(spec, session).block(Duration.ofSeconds(30));
  }

  private EncryptorException failure(EncryptSpec spec) {
    return failure(spec, false);
  }

  private EncryptorException failure(EncryptSpec spec, boolean update) {
    return catchThrowableOfType(EncryptorException.class, () -> (update ? harness.encryptor.update(spec, session)
        : harness.encryptor.encrypt(spec, session)).block(Duration.ofSeconds(30)));
  }

  private Image image(String id) {
    return harness.client.describeImages(r -> r.imageIds(id)).join().images().get(0);
  }

  private Snapshot snapshot(Image image) {
    String id = image.blockDeviceMappings().get(0).ebs().snapshotId();
    return harness.client.describeSnapshots(r -> r.snapshotIds(id)).join().snapshots().get(0);
  }

  private static Tag tag(String key, String value) {
    return Tag.builder().key(key).value(value).build();
  }
}
