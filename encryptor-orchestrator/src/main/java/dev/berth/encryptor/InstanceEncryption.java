package dev.berth.encryptor;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * Strategy {@code instance}, brkt-cli's flow for images that need an in-guest encryptor: launch the
 * guest, stop it, snapshot its root volume; a temporary security group admitting the status port
 * from one CIDR only (a /32 by default, never 0.0.0.0/0); launch the encryptor image with a volume
 * from that snapshot ({@code /dev/sdf}) and an empty target volume encrypted under the key
 * ({@code /dev/sdg}); poll its status port until it has finished; snapshot the target volume and
 * register the new image from it. Every resource is tagged at creation and journaled; the guest,
 * its snapshot, the encryptor (its volumes go with it) and the group are temporaries that the
 * run's final cleanup removes.
 */
final class InstanceEncryption {

  private static final Logger LOG = LoggerFactory.getLogger("berth-encryptor");
  static final String SOURCE_DEVICE = "/dev/sdf";
  static final String TARGET_DEVICE = "/dev/sdg";

  private final Ec2AsyncClient ec2;
  private final Ec2Waits waits;
  private final StatusPoller poller;
  private final java.util.function.Consumer<Progress> progress;

  InstanceEncryption(Ec2AsyncClient ec2, Ec2Waits waits, StatusPoller poller, java.util.function.Consumer<Progress> progress) {
    this.ec2 = ec2;
    this.waits = waits;
    this.poller = poller;
    this.progress = progress;
  }

  Mono<Image> encrypt(Run run, Plan plan) {
    InstanceSettings settings = run.spec().instance();
    return launch(run, "guest", guest(run, plan))
        .flatMap(guest -> waits.instanceRunning(guest, run.deadline().remaining())
            .then(Ec2Waits.call(ec2, () -> ec2.stopInstances(r -> r.instanceIds(guest))))
            .then(waits.instanceStopped(guest, run.deadline().remaining()))
            .then(describe(guest)))
        .flatMap(guest -> snapshotRoot(run, guest).flatMap(snapshot ->
            securityGroup(run, guest.vpcId(), plan.statusCidr(), settings.statusPort())
            .flatMap(group -> launch(run, "encryptor", encryptor(run, plan, guest, snapshot, group)))))
        .flatMap(encryptor -> waits.instanceRunning(encryptor, run.deadline().remaining())
            .then(describe(encryptor))
            .flatMap(instance -> poller.untilFinished(instance.privateIpAddress(), settings.statusPort(),
                    settings.statusTimeout(), status -> progress.accept(new Progress(run.session().id(), status.state(),
                        status.bytesWritten(), status.bytesTotal())))
                .onErrorResume(EncryptorException.class, e -> console(encryptor).flatMap(tail ->
                    Mono.error(EncryptorException.failed(e.getMessage() + "; encryptor console:\n" + tail, e))))
                .thenReturn(instance)))
        .flatMap(encryptor -> register(run, plan, encryptor));
  }

  private RunInstancesRequest.Builder guest(Run run, Plan plan) {
    RunInstancesRequest.Builder request = RunInstancesRequest.builder().imageId(plan.source().imageId())
        .instanceType(run.spec().guestInstanceType());
    run.spec().subnetId().ifPresent(request::subnetId);
    if (!plan.securityGroupIds().isEmpty()) {
      request.securityGroupIds(plan.securityGroupIds());
    }
    return request;
  }

  private RunInstancesRequest.Builder encryptor(Run run, Plan plan, Instance guest, String snapshot, String group) {
    return RunInstancesRequest.builder().imageId(plan.encryptorImageId())
        .instanceType(run.spec().instance().encryptorInstanceType())
        .subnetId(guest.subnetId())
        .securityGroupIds(group)
        .userData(Base64.getEncoder().encodeToString(run.spec().instance().userData().getBytes(StandardCharsets.UTF_8)))
        .blockDeviceMappings(
            BlockDeviceMapping.builder().deviceName(SOURCE_DEVICE)
                .ebs(e -> e.snapshotId(snapshot).deleteOnTermination(true)).build(),
            BlockDeviceMapping.builder().deviceName(TARGET_DEVICE)
                .ebs(e -> e.volumeSize(rootSize(plan)).encrypted(true).kmsKeyId(plan.kmsKeyId())
                    .deleteOnTermination(true)).build());
  }

  // The target holds the guest's root volume, so it is as large; 8 GiB when the image does not say.
  private static int rootSize(Plan plan) {
    return plan.source().blockDeviceMappings().stream()
        .filter(m -> m.deviceName().equals(plan.source().rootDeviceName()) && m.ebs() != null && m.ebs().volumeSize() != null)
        .map(m -> m.ebs().volumeSize()).findFirst().orElse(8);
  }

  private Mono<String> launch(Run run, String role, RunInstancesRequest.Builder request) {
    String token = run.token(role);
    RunInstancesRequest launch = request.minCount(1).maxCount(1).clientToken(token)
        .tagSpecifications(SessionTags.specifications(run.tags(), ResourceType.INSTANCE, ResourceType.VOLUME)).build();
    return run.journal().creating(ResourceKind.INSTANCE, token)
        .then(run.journal().create(ec2, () -> ec2.runInstances(launch)))
        .map(r -> r.instances().get(0).instanceId())
        .flatMap(id -> run.journal().created(id).thenReturn(id))
        .doOnNext(id -> LOG.info("{} instance {} launched", role, id));
  }

  private Mono<Instance> describe(String instanceId) {
    return Ec2Waits.call(ec2, () -> ec2.describeInstances(r -> r.instanceIds(instanceId)))
        .map(r -> r.reservations().get(0).instances().get(0));
  }

  private Mono<String> snapshotRoot(Run run, Instance instance) {
    String volume = volumeAt(instance, instance.rootDeviceName());
    return snapshot(run, volume, "berth-encryptor guest root of " + instance.instanceId());
  }

  private Mono<String> snapshot(Run run, String volumeId, String description) {
    return run.journal().creating(ResourceKind.SNAPSHOT, run.token("snapshot-" + volumeId))
        .then(run.journal().create(ec2, () -> ec2.createSnapshot(r -> r.volumeId(volumeId).description(description)
            .tagSpecifications(SessionTags.specifications(run.tags(), ResourceType.SNAPSHOT)))))
        .flatMap(r -> run.journal().created(r.snapshotId()).thenReturn(r.snapshotId()))
        .flatMap(id -> waits.snapshotCompleted(id, run.deadline().remaining()).thenReturn(id));
  }

  private Mono<String> securityGroup(Run run, String vpcId, String cidr, int port) {
    String name = "berth-encryptor-" + run.session().id();
    LOG.info("status port {} admitted from {} only", port, cidr);
    return run.journal().creating(ResourceKind.SECURITY_GROUP, name)
        .then(run.journal().create(ec2, () -> ec2.createSecurityGroup(r -> r.groupName(name).vpcId(vpcId)
            .description("berth-encryptor status port, session " + run.session().id())
            .tagSpecifications(SessionTags.specifications(run.tags(), ResourceType.SECURITY_GROUP)))))
        .flatMap(r -> run.journal().created(r.groupId()).thenReturn(r.groupId()))
        .flatMap(group -> Ec2Waits.call(ec2, () -> ec2.authorizeSecurityGroupIngress(r -> r.groupId(group)
                .ipPermissions(p -> p.ipProtocol("tcp").fromPort(port).toPort(port).ipRanges(i -> i.cidrIp(cidr)))))
            .thenReturn(group));
  }

  private Mono<Image> register(Run run, Plan plan, Instance encryptor) {
    String target = volumeAt(encryptor, TARGET_DEVICE);
    Map<String, String> tags = SessionTags.newImage(run.tags(), plan.source());
    String root = plan.source().rootDeviceName();
    return snapshot(run, target, "berth-encryptor encrypted root for " + plan.name())
        .flatMap(snapshot -> run.journal().creating(ResourceKind.IMAGE, run.token("register"))
            .then(run.journal().create(ec2, () -> ec2.registerImage(r -> r.name(plan.name()).description(plan.description())
                .rootDeviceName(root).virtualizationType("hvm").architecture(plan.source().architectureAsString())
                .enaSupport(plan.source().enaSupport())
                .blockDeviceMappings(BlockDeviceMapping.builder().deviceName(root)
                    .ebs(e -> e.snapshotId(snapshot).deleteOnTermination(true)).build())
                .tagSpecifications(SessionTags.specifications(tags, ResourceType.IMAGE))))))
        .flatMap(r -> run.journal().created(r.imageId()).thenReturn(r.imageId()))
        .flatMap(id -> waits.imageAvailable(id, run.deadline().remaining()));
  }

  private Mono<String> console(String instanceId) {
    return Ec2Waits.call(ec2, () -> ec2.getConsoleOutput(r -> r.instanceId(instanceId)))
        .map(r -> String.join("\n", Diagnostics.tail(r.output())))
        .onErrorResume(e -> Mono.just("(no console output: " + e.getMessage() + ")"));
  }

  private static String volumeAt(Instance instance, String device) {
    return instance.blockDeviceMappings().stream().filter(m -> m.deviceName().equals(device) && m.ebs() != null)
        .map(m -> m.ebs().volumeId()).findFirst()
        .orElseThrow(() -> EncryptorException.failed(instance.instanceId() + " has no EBS volume at " + device, null));
  }
}
