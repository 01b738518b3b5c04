package dev.berth.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.CopyImageRequest;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.Volume;

/** Images, snapshots, volumes and security groups of the EC2 emulator, through the real SDK. */
final class Ec2ImagesEmulatorTest {

  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final String SOURCE = "ami-12345678";
  private static final String MARKETPLACE = "ami-0aaaaaaaaaaaaaaaa";
  private static final String KEY = "arn:aws:kms:us-west-2:123456789012:key/11111111-2222-3333-4444-555555555555";

  @RegisterExtension
  static final SdkClients SDK = new SdkClients();

  private ManualClock clock;
  private Ec2Emulator ec2;
  private Ec2AsyncClient client;

  @BeforeEach
  void start() {
    clock = ManualClock.at(NOW);
    ec2 = Ec2Emulator.builder().clock(clock)
        .pendingDuration(Duration.ofSeconds(30))
        .shuttingDownDuration(Duration.ofSeconds(60))
        .copyDuration(Duration.ofMinutes(5))
        .loopbackAddresses()
        .image(new Ec2Emulator.Image(MARKETPLACE, "vendor-appliance", "679593333241", false, List.of("8fm6ktd8ptfgd2cn7gkeg4ezv")))
        .start();
    client = SDK.client(Ec2AsyncClient.builder(), ec2.endpoint(), Region.US_WEST_2, SdkClients.STATIC,
        b -> b.overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())));
  }

  @AfterEach
  void stop() {
    client.close();
    ec2.close();
  }

  @Test
  void copyImage_encrypted_newSnapshotsUnderTheKey_pendingThenAvailable() {
    String id = client.copyImage(copy("berth-copy", "token-1")).join().imageId();

    Image pending = image(id);
    assertThat(pending.stateAsString()).isEqualTo("pending");
    assertThat(pending.tags()).containsExactly(Tag.builder().key("berth:session").value("s1").build());
    String snapshotId = pending.blockDeviceMappings().get(0).ebs().snapshotId();
    Snapshot snapshot = client.describeSnapshots(r -> r.snapshotIds(snapshotId)).join().snapshots().get(0);
    assertThat(snapshot.stateAsString()).isEqualTo("pending");
    assertThat(snapshot.encrypted()).isTrue();
    assertThat(snapshot.kmsKeyId()).isEqualTo(KEY);
    assertThat(snapshot.tags()).extracting(Tag::key).containsExactly("berth:session");

    clock.advance(Duration.ofMinutes(5));
    assertThat(image(id).stateAsString()).isEqualTo("available");
    assertThat(image(id).blockDeviceMappings().get(0).ebs().encrypted()).isTrue();
    assertThat(client.describeSnapshots(r -> r.snapshotIds(snapshotId)).join().snapshots().get(0).stateAsString())
        .isEqualTo("completed");
  }

  @Test
  void copyImage_sameClientToken_sameImage_otherParameters_mismatch() {
    String first = client.copyImage(copy("berth-copy", "token-1")).join().imageId();
    String again = client.copyImage(copy("berth-copy", "token-1")).join().imageId();
    Ec2Exception other = failure(client.copyImage(copy("berth-other", "token-1")));

    assertThat(again).isEqualTo(first);
    assertThat(other.awsErrorDetails().errorCode()).isEqualTo("IdempotentParameterMismatch");
    assertThat(ec2.createdResources().keySet()).filteredOn(k -> k.startsWith("ami-")).containsExactly(first);
  }

  @Test
  void copyImage_errors_documentedCodes_nothingCreated() {
    client.copyImage(copy("berth-copy", "token-1")).join();
    assertThat(code(client.copyImage(copy("berth-copy", "token-2")))).isEqualTo("InvalidAMIName.Duplicate");
    assertThat(code(client.copyImage(copy("x", "token-3")))).isEqualTo("InvalidAMIName.Malformed");
    assertThat(code(client.copyImage(copy("berth-2", "token-4").toBuilder().sourceImageId("ami-99999999").build())))
        .isEqualTo("InvalidAMIID.NotFound");
    assertThat(code(client.copyImage(copy("berth-3", "token-5").toBuilder().sourceImageId(MARKETPLACE).build())))
        .isEqualTo("InvalidRequest");
    assertThat(code(client.copyImage(copy("berth-4", "token-6").toBuilder().dryRun(true).build())))
        .isEqualTo("DryRunOperation");
    assertThat(ec2.createdResources()).hasSize(2);
  }

  @Test
  void marketplace_launchEncryptedStopCreateImage_terminateDeletesVolumes() {
    String instance = client.runInstances(r -> r.imageId(MARKETPLACE).minCount(1).maxCount(1)
        .blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/xvda")
            .ebs(e -> e.encrypted(true).kmsKeyId(KEY).deleteOnTermination(true)).build())
        .tagSpecifications(tags(ResourceType.INSTANCE), tags(ResourceType.VOLUME))).join()
        .instances().get(0).instanceId();
    assertThat(ec2.instance(instance).orElseThrow().privateIpAddress()).startsWith("127.0.");
    Volume volume = client.describeVolumes(r -> r.filters(filter("attachment.instance-id", instance))).join().volumes().get(0);
    assertThat(volume.encrypted()).isTrue();
    assertThat(volume.kmsKeyId()).isEqualTo(KEY);
    assertThat(volume.tags()).extracting(Tag::key).containsExactly("berth:session");

    assertThat(code(client.createImage(r -> r.instanceId(instance).name("berth-mp")))).isEqualTo("IncorrectState");
    clock.advance(Duration.ofSeconds(30));
    client.stopInstances(r -> r.instanceIds(instance)).join();
    clock.advance(Duration.ofSeconds(60));
    assertThat(ec2.instance(instance).orElseThrow().state()).isEqualTo("stopped");
    String image = client.createImage(r -> r.instanceId(instance).name("berth-mp")
        .tagSpecifications(tags(ResourceType.IMAGE), tags(ResourceType.SNAPSHOT))).join().imageId();
    clock.advance(Duration.ofMinutes(5));
    Image made = image(image);
    assertThat(made.stateAsString()).isEqualTo("available");
    assertThat(made.productCodes()).hasSize(1);
    String snapshot = made.blockDeviceMappings().get(0).ebs().snapshotId();
    assertThat(client.describeSnapshots(r -> r.snapshotIds(snapshot)).join().snapshots().get(0).kmsKeyId()).isEqualTo(KEY);

    client.terminateInstances(r -> r.instanceIds(instance)).join();
    clock.advance(Duration.ofSeconds(60));
    assertThat(code(client.deleteSnapshot(r -> r.snapshotId(snapshot)))).isEqualTo("InvalidSnapshot.InUse");
    client.deregisterImage(r -> r.imageId(image)).join();
    client.deleteSnapshot(r -> r.snapshotId(snapshot)).join();
    assertThat(code(client.deleteSnapshot(r -> r.snapshotId(snapshot)))).isEqualTo("InvalidSnapshot.NotFound");
    assertThat(ec2.createdResources()).isEmpty();
  }

  @Test
  void volumesGroupsAndConsole_roundTrip() {
    String snapshot = image(SOURCE).blockDeviceMappings().get(0).ebs().snapshotId();
    String vol = client.createVolume(r -> r.availabilityZone("us-west-2a").snapshotId(snapshot).encrypted(true)
        .kmsKeyId(KEY).tagSpecifications(tags(ResourceType.VOLUME))).join().volumeId();
    String instance = client.runInstances(r -> r.imageId(SOURCE).minCount(1).maxCount(1)).join().instances().get(0).instanceId();
    clock.advance(Duration.ofSeconds(30));
    client.attachVolume(r -> r.volumeId(vol).instanceId(instance).device("/dev/xvdf")).join();
    assertThat(code(client.deleteVolume(r -> r.volumeId(vol)))).isEqualTo("VolumeInUse");
    String sg = client.createSecurityGroup(r -> r.groupName("berth-status").description("status port")
        .vpcId("vpc-0c1f5a2b3d4e6f708").tagSpecifications(tags(ResourceType.SECURITY_GROUP))).join().groupId();
    client.authorizeSecurityGroupIngress(r -> r.groupId(sg).ipPermissions(p -> p.ipProtocol("tcp").fromPort(80).toPort(80)
        .ipRanges(i -> i.cidrIp("127.0.0.1/32")))).join();
    assertThat(client.describeSecurityGroups(r -> r.groupIds(sg)).join().securityGroups().get(0).ipPermissions().get(0)
        .ipRanges().get(0).cidrIp()).isEqualTo("127.0.0.1/32");
    assertThat(client.getConsoleOutput(r -> r.instanceId(instance)).join().output()).isNotEmpty();
    assertThat(client.getEbsDefaultKmsKeyId(r -> { }).join().kmsKeyId()).isEqualTo(ec2.defaultKmsKeyId());
    assertThat(client.describeSubnets(r -> r.subnetIds("subnet-0b2c3d4e5f6071829")).join().subnets().get(0).vpcId())
        .isEqualTo("vpc-0d2e6f7a8b9c0d1e2");
    client.modifySnapshotAttribute(r -> r.snapshotId(snapshot).attribute("createVolumePermission")
        .operationType("add").userIds("210987654321")).join();

    client.terminateInstances(r -> r.instanceIds(instance)).join();
    clock.advance(Duration.ofSeconds(60));
    assertThat(client.describeVolumes(r -> r.volumeIds(vol)).join().volumes().get(0).stateAsString()).isEqualTo("available");
    client.deleteVolume(r -> r.volumeId(vol)).join();
    client.deleteSecurityGroup(r -> r.groupId(sg)).join();
    assertThat(ec2.createdResources()).isEmpty();
  }

  @Test
  void createSnapshot_registerImage_statusAndSharing() {
    String instance = client.runInstances(r -> r.imageId(SOURCE).minCount(1).maxCount(1)).join().instances().get(0).instanceId();
    assertThat(client.describeInstanceStatus(r -> r.instanceIds(instance)).join().instanceStatuses()).isEmpty();
    clock.advance(Duration.ofSeconds(30));
    var status = client.describeInstanceStatus(r -> r.instanceIds(instance)).join().instanceStatuses().get(0);
    assertThat(status.systemStatus().statusAsString()).isEqualTo("ok");
    String volume = client.describeInstances(r -> r.instanceIds(instance)).join().reservations().get(0).instances().get(0)
        .blockDeviceMappings().get(0).ebs().volumeId();

    String snapshot = client.createSnapshot(r -> r.volumeId(volume).tagSpecifications(tags(ResourceType.SNAPSHOT)))
        .join().snapshotId();
    assertThat(code(client.registerImage(r -> r.name("berth-registered").rootDeviceName("/dev/xvda")
        .blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/xvda").ebs(e -> e.snapshotId("snap-99999999")).build()))))
        .isEqualTo("InvalidSnapshot.NotFound");
    String image = client.registerImage(r -> r.name("berth-registered").rootDeviceName("/dev/xvda")
        .blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/xvda").ebs(e -> e.snapshotId(snapshot)).build()))
        .join().imageId();
    assertThat(image(image).stateAsString()).isEqualTo("pending");
    clock.advance(Duration.ofMinutes(5));
    assertThat(image(image).stateAsString()).isEqualTo("available");
    client.modifySnapshotAttribute(r -> r.snapshotId(snapshot).createVolumePermission(p -> p.add(a -> a.userId("210987654321"))))
        .join();
    assertThat(client.describeSnapshotAttribute(r -> r.snapshotId(snapshot).attribute("createVolumePermission")).join()
        .createVolumePermissions()).extracting(p -> p.userId()).containsExactly("210987654321");
  }

  @Test
  void describeSnapshots_pages_andTagFilter() {
    for (int i = 0; i < 7; i++) {
      String n = "berth-copy-" + i;
      client.copyImage(copy(n, "t" + i)).join();
    }
    var first = client.describeSnapshots(r -> r.ownerIds("self").maxResults(5)
        .filters(filter("tag:berth:session", "s1"))).join();
    var second = client.describeSnapshots(r -> r.ownerIds("self").maxResults(5).nextToken(first.nextToken())
        .filters(filter("tag:berth:session", "s1"))).join();

    assertThat(first.snapshots()).hasSize(5);
    assertThat(second.snapshots()).hasSize(2);
    assertThat(second.nextToken()).isNull();
  }

  private Image image(String id) {
    return client.describeImages(r -> r.imageIds(id)).join().images().get(0);
  }

  private static CopyImageRequest copy(String name, String token) {
    return CopyImageRequest.builder().sourceImageId(SOURCE).sourceRegion("us-west-2").name(name).encrypted(true)
        .kmsKeyId(KEY).clientToken(token)
        .tagSpecifications(tags(ResourceType.IMAGE), tags(ResourceType.SNAPSHOT)).build();
  }

  private static TagSpecification tags(ResourceType type) {
    return TagSpecification.builder().resourceType(type).tags(Tag.builder().key("berth:session").value("s1").build()).build();
  }

  private static Filter filter(String name, String value) {
    return Filter.builder().name(name).values(value).build();
  }

  private static String code(CompletableFuture<?> call) {
    return failure(call).awsErrorDetails().errorCode();
  }

  private static Ec2Exception failure(CompletableFuture<?> call) {
    return SdkClients.failure(call, Ec2Exception.class);
  }
}
