package dev.berth.encryptor;

import static dev.berth.encryptor.EncryptorHarness.KEY;
import static dev.berth.encryptor.EncryptorHarness.PLAIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.berth.testing.Ec2Emulator.Fault;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class LogSharingTest {

  private static final String OTHER_ACCOUNT = "210987654321";

  private EncryptorHarness harness;
  private String instanceId;

  @BeforeEach
  void start() {
    harness = EncryptorHarness.start();
    instanceId = harness.client.runInstances(r -> r.imageId(PLAIN).minCount(1).maxCount(1)
        .blockDeviceMappings(m -> m.deviceName("/dev/xvda").ebs(e -> e.encrypted(true).kmsKeyId(KEY)))).join()
        .instances().get(0).instanceId();
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void shareLogs_rootVolumeSnapshot_sharedWithTheAccount_kmsAdviceNamesTheKey() {
    SharedLogs shared = harness.encryptor.shareLogs(instanceId, OTHER_ACCOUNT, Session.create()).block(Duration.ofSeconds(30));

    assertThat(harness.client.describeSnapshotAttribute(r -> r.snapshotId(shared.snapshotId())
        .attribute("createVolumePermission")).join().createVolumePermissions())
        .extracting(p -> p.userId()).containsExactly(OTHER_ACCOUNT);
    assertThat(shared.kmsKeyId()).contains(KEY);
    assertThat(shared.grantAdvice()).contains(OTHER_ACCOUNT, "kms:CreateGrant", KEY);
    assertThat(harness.leftovers().keySet()).allMatch(id -> id.startsWith("i-") || id.startsWith("vol-"));
  }

  @Test
  void shareLogs_sharingFails_snapshotDeleted() {
    harness.ec2.faults().fail("ModifySnapshotAttribute", 1, Fault.INTERNAL_ERROR);
    Session session = Session.create();

    EncryptorException e = catchThrowableOfType(EncryptorException.class,
        () -> harness.encryptor.shareLogs(instanceId, OTHER_ACCOUNT, session).block(Duration.ofSeconds(30)));

    assertThat(e.getMessage()).contains("InternalError");
    assertThat(harness.ec2.createdResources().keySet()).noneMatch(id -> id.startsWith("snap-"));
    assertThat(harness.journal(session).outcome()).contains(JournalState.CLEANED);
  }

  @Test
  void shareLogs_badAccount_refusedBeforeAnyCall() {
    int before = harness.ec2.calls().values().stream().mapToInt(Integer::intValue).sum();

    EncryptorException e = catchThrowableOfType(EncryptorException.class,
        () -> harness.encryptor.shareLogs(instanceId, "12345", Session.create()).block(Duration.ofSeconds(30)));

    assertThat(e.kind()).isEqualTo(EncryptorException.Kind.INVALID);
    assertThat(e.getMessage()).startsWith("--to-account '12345' is not an AWS account id");
    assertThat(harness.ec2.calls().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(before);
  }
}
