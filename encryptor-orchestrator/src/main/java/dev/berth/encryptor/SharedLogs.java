package dev.berth.encryptor;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@code share-logs} made: a snapshot of an instance's root volume that another account may
 * create volumes from, and what that account still needs from KMS when the snapshot is encrypted.
 *
 * @param snapshotId the shared snapshot
 * @param account the account it is shared with
 * @param kmsKeyId the key the snapshot is encrypted under, if it is
 */
public record SharedLogs(String snapshotId, String account, Optional<String> kmsKeyId) {

  /**
   * Null-checks the components.
   *
   * @param snapshotId the snapshot
   * @param account the account
   * @param kmsKeyId the key, or empty
   */
  public SharedLogs {
    Objects.requireNonNull(snapshotId, "snapshotId");
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(kmsKeyId, "kmsKeyId");
  }

  /**
   * What the other account needs before it can use the snapshot, in one sentence.
   *
   * @return the advice
   */
  public String grantAdvice() {
    return kmsKeyId.map(key -> "Account " + account + " can create a volume from " + snapshotId
            + " only with kms:DescribeKey, kms:CreateGrant, kms:Decrypt and kms:ReEncrypt* on " + key
            + " (add them to the key policy or create a grant for that account); a snapshot under the AWS managed "
            + "key aws/ebs cannot be shared at all: re-encrypt the volume under a customer managed key first.")
        .orElse("Account " + account + " can create a volume from " + snapshotId + " (it is not encrypted).");
  }
}
