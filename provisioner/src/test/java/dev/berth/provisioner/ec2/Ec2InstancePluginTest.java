package dev.berth.provisioner.ec2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.provisioner.Ec2Harness;
import dev.berth.provisioner.TestSpecs;
import dev.berth.provisioner.spec.GroupSpec;
import dev.berth.testing.Ec2Emulator;
import dev.berth.testing.Ec2Emulator.Fault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

final class Ec2InstancePluginTest {

  private Ec2Harness harness;
  private InstancePlugin plugin;
  private final GroupSpec web = TestSpecs.size("web", 3);

  @BeforeEach
  void start() {
    harness = Ec2Harness.start();
    plugin = InstancePlugin.ec2(harness.client, 5, 2);
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void launch_batch_oneCallWithTagsTokenAndBootScript() {
    StepVerifier.create(plugin.launch(new Launch(web, 3, Optional.empty(), "berth-t1")))
        .assertNext(instances -> assertThat(instances).hasSize(3).allSatisfy(i -> {
          assertThat(i.state()).isEqualTo("pending");
          assertThat(i.configHash()).isEqualTo(web.configHash());
          assertThat(i.tags()).containsEntry("infrakit.group", "web").containsEntry("tier", "test");
        }))
        .verifyComplete();

    assertThat(harness.ec2.calls("RunInstances")).isEqualTo(1);
    assertThat(harness.ec2.instances()).hasSize(3).allSatisfy(i -> {
      assertThat(i.clientToken()).isEqualTo("berth-t1");
      assertThat(i.userData()).isEqualTo("#!/bin/sh\necho web");
      assertThat(i.instanceType()).isEqualTo("t3.micro");
      assertThat(i.tags()).containsExactlyInAnyOrderEntriesOf(web.instanceTags());
    });
  }

  @Test
  void launch_issueExample_everyPropertyReachesEc2() {
    GroupSpec example = GroupSpec.parse(TestSpecs.EXAMPLE);

    plugin.launch(new Launch(example, 1, Optional.empty(), "berth-example")).block();

    Ec2Emulator.Instance instance = harness.ec2.instances().get(0);
    assertThat(instance.imageId()).isEqualTo("ami-4926fd29");
    assertThat(instance.keyName()).isEqualTo("my-laptop");
    assertThat(instance.availabilityZone()).isEqualTo("us-west-2a");
    assertThat(instance.securityGroupIds()).containsExactly("sg-57411931");
    assertThat(instance.userData()).isEqualTo("sh -c \"echo 'Hello, World!' > /hello\"");
    assertThat(instance.tags()).containsEntry("Name", "infrakit-example").containsEntry("infrakit.group", "aws-example")
        .containsEntry("infrakit.config.hash", "iififwhdtfvy4mk2davcik2lxu57cgq3");
  }

  @Test
  void launch_sameTokenTwice_noSecondInstance() {
    Launch launch = new Launch(web, 2, Optional.empty(), "berth-again");

    List<ManagedInstance> first = plugin.launch(launch).block();
    List<ManagedInstance> second = plugin.launch(launch).block();

    assertThat(second).extracting(ManagedInstance::id).containsExactlyElementsOf(first.stream().map(ManagedInstance::id).toList());
    assertThat(harness.ec2.instances()).hasSize(2);
  }

  @Test
  void describe_errorAnswerWithoutACode_saysTheStatusNotNull() {
    harness.ec2.faults().fail("DescribeInstances", 1, Ec2Emulator.Fault.UNEXPECTED_BODY);
    StepVerifier.create(plugin.describe("web", false))
        .expectErrorSatisfies(e -> {
          Ec2CallException error = (Ec2CallException) e;
          assertThat(error.getMessage()).contains("HTTP 500").doesNotContain("null");
          assertThat(error.code()).isEqualTo("HTTP500");
          assertThat(error.kind()).isEqualTo(Ec2CallException.Kind.TRANSIENT);
        })
        .verify();
  }

  @Test
  void launch_answerLostToATimeout_retryWithTheSameTokenMakesNoDuplicate() {
    harness.ec2.faults().delay("RunInstances", 1, Duration.ofSeconds(3));
    Launch launch = new Launch(web, 2, Optional.empty(), "berth-timeout");
    try (Ec2AsyncClient impatient = Ec2AsyncClient.builder()
        .endpointOverride(harness.ec2.endpoint())
        .region(Region.US_WEST_2)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDBERTHTEST0000000", "s")))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofMillis(300)))
        .build()) {
      StepVerifier.create(InstancePlugin.ec2(impatient).launch(launch))
          .expectErrorSatisfies(e -> assertThat(((Ec2CallException) e).kind()).isEqualTo(Ec2CallException.Kind.TRANSIENT))
          .verify();
    }

    List<ManagedInstance> retried = plugin.launch(launch).block();

    assertThat(harness.ec2.instances()).hasSize(2);
    assertThat(retried).extracting(ManagedInstance::id)
        .containsExactlyInAnyOrderElementsOf(harness.ec2.instances().stream().map(Ec2Emulator.Instance::instanceId).toList());
  }

  @Test
  void launch_sdkRetriesAfterAttemptTimeout_sameTokenSoOneReservation() {
    harness.ec2.faults().delay("RunInstances", 1, Duration.ofSeconds(3));
    try (Ec2AsyncClient retrying = Ec2AsyncClient.builder()
        .endpointOverride(harness.ec2.endpoint())
        .region(Region.US_WEST_2)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDBERTHTEST0000000", "s")))
        .overrideConfiguration(o -> o.apiCallAttemptTimeout(Duration.ofMillis(300)).apiCallTimeout(Duration.ofSeconds(10)))
        .build()) {
      assertThat(InstancePlugin.ec2(retrying).launch(new Launch(web, 3, Optional.empty(), "berth-sdk-retry")).block()).hasSize(3);
    }

    assertThat(harness.ec2.calls("RunInstances")).isGreaterThanOrEqualTo(2);
    assertThat(harness.ec2.instances()).hasSize(3);
  }

  @Test
  void launch_anyFault_neverAnUntaggedInstance() {
    // Whatever fails, however often, an instance either does not exist or has every tag: the
    // tags travel inside RunInstances, and the plugin has no separate tagging step to crash before.
    for (Fault fault : Fault.values()) {
      harness.ec2.faults().fail("RunInstances", 1, fault);
      StepVerifier.create(plugin.launch(new Launch(web, 1, Optional.empty(), "berth-" + fault))).expectError().verify();
      plugin.launch(new Launch(web, 1, Optional.empty(), "berth-" + fault)).block();
    }
    harness.ec2.faults().capacity(harness.ec2.instances().size() + 1);
    plugin.launch(new Launch(web, 3, Optional.empty(), "berth-capacity")).block();

    assertThat(harness.ec2.calls("CreateTags")).isZero();
    assertThat(harness.ec2.instances()).hasSize(Fault.values().length + 1)
        .allSatisfy(i -> assertThat(i.tags()).containsAllEntriesOf(web.instanceTags()));
  }

  @Test
  void launch_privateAddress_launchedAtThatAddress() {
    GroupSpec managers = TestSpecs.logical("managers", "ami-12345678", List.of("10.0.7.5", "10.0.7.6"));

    plugin.launch(new Launch(managers, 1, Optional.of("10.0.7.6"), "berth-m")).block();

    assertThat(harness.ec2.instances()).extracting(Ec2Emulator.Instance::privateIpAddress).containsExactly("10.0.7.6");
  }

  @Test
  void describe_manyPages_everyLiveInstanceOfTheGroupOnly() {
    plugin.launch(new Launch(web, 12, Optional.empty(), "berth-a")).block();
    plugin.launch(new Launch(TestSpecs.size("db", 2), 2, Optional.empty(), "berth-b")).block();
    List<ManagedInstance> all = plugin.describe("web", false).block();
    plugin.terminate(List.of(all.get(0).id(), all.get(1).id())).block();
    int before = harness.ec2.calls("DescribeInstances");

    List<ManagedInstance> live = plugin.describe("web", false).block();
    List<ManagedInstance> notGone = plugin.describe("web", true).block();

    assertThat(all).hasSize(12);
    assertThat(live).hasSize(10).extracting(ManagedInstance::id).doesNotContain(all.get(0).id(), all.get(1).id());
    assertThat(notGone).hasSize(12);
    assertThat(harness.ec2.calls("DescribeInstances") - before).as("pages of 5: 10 live, then 12").isEqualTo(2 + 3);
    harness.allTerminated();
    assertThat(plugin.describe("web", true).block()).hasSize(10);
  }

  @Test
  void terminate_fiveIds_threeCallsOfAtMostTwo() {
    List<String> ids = plugin.launch(new Launch(web, 5, Optional.empty(), "berth-t")).block().stream()
        .map(ManagedInstance::id).toList();

    assertThat(plugin.terminate(ids).block()).isEqualTo(5);

    assertThat(harness.ec2.calls("TerminateInstances")).isEqualTo(3);
    assertThat(harness.ec2.instances()).extracting(Ec2Emulator.Instance::state).containsOnly("shutting-down");
  }

  @Test
  void terminate_idAlreadyGone_skippedAndTheRestTerminated() {
    List<String> ids = plugin.launch(new Launch(web, 2, Optional.empty(), "berth-g")).block().stream()
        .map(ManagedInstance::id).toList();

    int terminated = plugin.terminate(List.of(ids.get(0), "i-0123456789abcdef0", ids.get(1))).block();

    assertThat(terminated).isEqualTo(2);
    assertThat(harness.ec2.instances()).extracting(Ec2Emulator.Instance::state).containsOnly("shutting-down");
  }

  @Test
  void checkImage_unknownOrMalformed_permanentFailure() {
    StepVerifier.create(plugin.checkImage("ami-4926fd29")).verifyComplete();
    StepVerifier.create(plugin.checkImage("ami-00000000"))
        .expectErrorSatisfies(e -> assertThat(((Ec2CallException) e).code()).isEqualTo("InvalidAMIID.NotFound"))
        .verify();
    StepVerifier.create(plugin.checkImage("nope"))
        .expectErrorSatisfies(e -> {
          assertThat(((Ec2CallException) e).code()).isEqualTo("InvalidAMIID.Malformed");
          assertThat(((Ec2CallException) e).kind()).isEqualTo(Ec2CallException.Kind.PERMANENT);
        })
        .verify();
  }

  @Test
  void errors_throttlingAndCapacity_classified() {
    harness.ec2.faults().fail("DescribeInstances", 1, Fault.REQUEST_LIMIT_EXCEEDED)
        .fail("RunInstances", 1, Fault.INSUFFICIENT_INSTANCE_CAPACITY);

    StepVerifier.create(plugin.describe("web", false))
        .expectErrorSatisfies(e -> assertThat(((Ec2CallException) e).kind()).isEqualTo(Ec2CallException.Kind.THROTTLED))
        .verify();
    StepVerifier.create(plugin.launch(new Launch(web, 1, Optional.empty(), "berth-c")))
        .expectErrorSatisfies(e -> assertThat(((Ec2CallException) e).kind()).isEqualTo(Ec2CallException.Kind.NO_CAPACITY))
        .verify();
  }
}
