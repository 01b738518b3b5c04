package dev.berth.encryptor;

import reactor.core.publisher.Mono;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ResourceType;

/**
 * Strategy {@code native} for ordinary images: one {@code CopyImage} with {@code Encrypted}, the
 * key and a {@code ClientToken}, tagged for the session (image and snapshots, in the same call),
 * carrying the source's own tags (not with {@code CopyImageTags}, which would copy {@code berth:}
 * tags too); then the SDK's {@code ImageAvailable} waiter.
 */
final class CopyImageEncryption {

  private final Ec2AsyncClient ec2;
  private final Ec2Waits waits;

  CopyImageEncryption(Ec2AsyncClient ec2, Ec2Waits waits) {
    this.ec2 = ec2;
    this.waits = waits;
  }

  Mono<Image> encrypt(Run run, Plan plan) {
    String token = run.token("copy");
    String region = ec2.serviceClientConfiguration().region().id();
    java.util.Map<String, String> tags = SessionTags.newImage(run.tags(), plan.source());
    return run.journal().creating(ResourceKind.IMAGE, token)
        .then(run.journal().create(ec2, () -> ec2.copyImage(r -> r.sourceImageId(plan.source().imageId()).sourceRegion(region)
            .name(plan.name()).description(plan.description()).encrypted(true).kmsKeyId(plan.kmsKeyId())
            .clientToken(token)
            .tagSpecifications(SessionTags.specifications(tags, ResourceType.IMAGE, ResourceType.SNAPSHOT)))))
        .flatMap(r -> run.journal().created(r.imageId()).thenReturn(r.imageId()))
        .flatMap(id -> waits.imageAvailable(id, run.deadline().remaining()));
  }
}
