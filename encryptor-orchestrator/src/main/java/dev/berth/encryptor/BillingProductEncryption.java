package dev.berth.encryptor;

import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.ShutdownBehavior;

/**
 * Strategy {@code native} for images with billing product codes, which {@code CopyImage} refuses:
 * launch one instance with every EBS mapping encrypted under the key (instance and volumes tagged
 * in the launch, a {@code ClientToken} journaled first), wait until it runs, stop it, wait until
 * it stops, {@code CreateImage} (tagged image and snapshots), wait until the image is available.
 * The instance is a temporary: the pipeline's final cleanup terminates it, and its volumes go with it.
 */
final class BillingProductEncryption {

  private final Ec2AsyncClient ec2;
  private final Ec2Waits waits;

  BillingProductEncryption(Ec2AsyncClient ec2, Ec2Waits waits) {
    this.ec2 = ec2;
    this.waits = waits;
  }

  Mono<Image> encrypt(Run run, Plan plan) {
    String token = run.token("launch");
    return run.journal().creating(ResourceKind.INSTANCE, token)
        .then(run.journal().create(ec2, () -> ec2.runInstances(launch(run, plan, token))))
        .map(r -> r.instances().get(0).instanceId())
        .flatMap(id -> run.journal().created(id).thenReturn(id))
        .flatMap(id -> waits.instanceRunning(id, run.deadline().remaining())
            .then(Ec2Waits.call(ec2, () -> ec2.stopInstances(r -> r.instanceIds(id))))
            .then(waits.instanceStopped(id, run.deadline().remaining()))
            .then(createImage(run, plan, id)));
  }

  private Mono<Image> createImage(Run run, Plan plan, String instanceId) {
    Map<String, String> tags = SessionTags.newImage(run.tags(), plan.source());
    return run.journal().creating(ResourceKind.IMAGE, run.token("create-image"))
        .then(run.journal().create(ec2, () -> ec2.createImage(r -> r.instanceId(instanceId).name(plan.name())
            .description(plan.description())
            .tagSpecifications(SessionTags.specifications(tags, ResourceType.IMAGE, ResourceType.SNAPSHOT)))))
        .flatMap(r -> run.journal().created(r.imageId()).thenReturn(r.imageId()))
        .flatMap(id -> waits.imageAvailable(id, run.deadline().remaining()));
  }

  private static RunInstancesRequest launch(Run run, Plan plan, String token) {
    List<BlockDeviceMapping> encrypted = plan.source().blockDeviceMappings().stream()
        .filter(m -> m.ebs() != null)
        .map(m -> BlockDeviceMapping.builder().deviceName(m.deviceName())
            .ebs(e -> e.encrypted(true).kmsKeyId(plan.kmsKeyId()).deleteOnTermination(true)
                .volumeSize(m.ebs().volumeSize()).volumeType(m.ebs().volumeType()))
            .build())
        .toList();
    RunInstancesRequest.Builder request = RunInstancesRequest.builder()
        .imageId(plan.source().imageId()).minCount(1).maxCount(1)
        .instanceType(run.spec().guestInstanceType())
        .blockDeviceMappings(encrypted)
        .instanceInitiatedShutdownBehavior(ShutdownBehavior.STOP)
        .clientToken(token)
        .tagSpecifications(SessionTags.specifications(run.tags(), ResourceType.INSTANCE, ResourceType.VOLUME));
    run.spec().subnetId().ifPresent(request::subnetId);
    if (!plan.securityGroupIds().isEmpty()) {
      request.securityGroupIds(plan.securityGroupIds());
    }
    return request.build();
  }
}
