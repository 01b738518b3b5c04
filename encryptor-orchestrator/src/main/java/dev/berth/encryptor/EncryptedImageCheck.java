package dev.berth.encryptor;

import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Snapshot;

/**
 * The check before a new image's id is printed: it has EBS mappings, and every snapshot behind
 * them is encrypted under the requested key ({@code DescribeSnapshots}, where EC2 reports the key's
 * ARN). An image that fails is not a result: the run fails and cleanup removes it.
 */
final class EncryptedImageCheck {

  private final Ec2AsyncClient ec2;

  EncryptedImageCheck(Ec2AsyncClient ec2) {
    this.ec2 = ec2;
  }

  /** The image's snapshot ids once they pass, or a failure naming each that does not. */
  Mono<List<String>> verify(Image image, String kmsKeyId) {
    List<String> ids = snapshotIds(image);
    if (ids.isEmpty()) {
      return Mono.error(EncryptorException.failed("verification failed: " + image.imageId() + " has no EBS snapshots", null));
    }
    return Ec2Waits.call(ec2, () -> ec2.describeSnapshots(r -> r.snapshotIds(ids)))
        .flatMap(r -> {
          List<String> problems = problems(r.snapshots(), kmsKeyId);
          return problems.isEmpty() ? Mono.just(ids) : Mono.error(EncryptorException.failed("verification failed for "
              + image.imageId() + ": " + String.join("; ", problems), null));
        });
  }

  static List<String> snapshotIds(Image image) {
    return image.blockDeviceMappings().stream()
        .filter(m -> m.ebs() != null && m.ebs().snapshotId() != null)
        .map(m -> m.ebs().snapshotId()).toList();
  }

  /** What is wrong with {@code snapshots} for key {@code kmsKeyId}; empty when all are fine. */
  static List<String> problems(List<Snapshot> snapshots, String kmsKeyId) {
    List<String> problems = new ArrayList<>();
    for (Snapshot s : snapshots) {
      if (!Boolean.TRUE.equals(s.encrypted())) {
        problems.add(s.snapshotId() + " is not encrypted");
      } else if (!sameKey(kmsKeyId, s.kmsKeyId())) {
        problems.add(s.snapshotId() + " is encrypted under " + s.kmsKeyId() + ", not " + kmsKeyId);
      }
    }
    return problems;
  }

  // EC2 reports a snapshot's key as its ARN; a request may name the key by id.
  static boolean sameKey(String requested, String actual) {
    if (actual == null) {
      return false;
    }
    return actual.equals(requested) || actual.endsWith(":key/" + EncryptSpec.keySuffix(requested));
  }
}
