package dev.berth.encryptor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Snapshot;

final class EncryptedImageCheckTest {

  private static final String ARN = "arn:aws:kms:us-west-2:123456789012:key/11111111-2222-3333-4444-555555555555";

  @Test
  void sameKey_arnOrBareIdOfTheSameKey() {
    assertThat(EncryptedImageCheck.sameKey(ARN, ARN)).isTrue();
    assertThat(EncryptedImageCheck.sameKey("11111111-2222-3333-4444-555555555555", ARN)).isTrue();
    assertThat(EncryptedImageCheck.sameKey("11111111-2222-3333-4444-000000000000", ARN)).isFalse();
    assertThat(EncryptedImageCheck.sameKey(ARN, null)).isFalse();
  }

  @Test
  void problems_unencryptedOrOtherKey_named() {
    List<Snapshot> snapshots = List.of(
        Snapshot.builder().snapshotId("snap-1").encrypted(true).kmsKeyId(ARN).build(),
        Snapshot.builder().snapshotId("snap-2").encrypted(false).build(),
        Snapshot.builder().snapshotId("snap-3").encrypted(true).kmsKeyId(ARN.replace("5555", "0000")).build());

    assertThat(EncryptedImageCheck.problems(snapshots, ARN)).containsExactly("snap-2 is not encrypted",
        "snap-3 is encrypted under " + ARN.replace("5555", "0000") + ", not " + ARN);
  }
}
