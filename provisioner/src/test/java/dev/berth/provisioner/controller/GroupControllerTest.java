package dev.berth.provisioner.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.provisioner.Ec2Harness;
import dev.berth.provisioner.TestSpecs;
import dev.berth.provisioner.ec2.InstancePlugin;
import dev.berth.provisioner.spec.GroupSpec;
import dev.berth.provisioner.spec.SpecException;
import dev.berth.provisioner.store.SpecStore;
import dev.berth.testing.Ec2Emulator;
import dev.berth.testing.Ec2Emulator.Fault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

final class GroupControllerTest {

  private static final Duration BACKOFF = Duration.ofSeconds(10);

  @TempDir
  Path stateDir;

  private Ec2Harness harness;
  private SpecStore store;
  private GroupController groups;

  @BeforeEach
  void start() {
    harness = Ec2Harness.start();
    store = SpecStore.directory(stateDir);
    groups = controller();
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  private GroupController controller() {
    return GroupController.create(InstancePlugin.ec2(harness.client), store,
        ControllerSettings.defaults().withLaunchBatch(10), harness.clock);
  }

  @Test
  void commit_newGroup_instancesExistWhenItReturns() {
    StepVerifier.create(groups.commit(TestSpecs.size("web", 3), false))
        .assertNext(result -> {
          assertThat(result.message()).isEqualTo("Managing 3 instances");
          assertThat(result.plan()).isEqualTo(new PlanSummary(3, 0, 0));
        })
        .verifyComplete();

    assertThat(harness.ec2.instances()).hasSize(3).allSatisfy(i -> assertThat(i.tags()).containsEntry("infrakit.group", "web"));
    assertThat(harness.ec2.calls("RunInstances")).isEqualTo(1);
    assertThat(store.load("web").block().pendingLaunches()).isEmpty();
  }

  @Test
  void commit_pretend_planOnlyAndNoWriteCall() {
    groups.commit(TestSpecs.size("web", 2), false).block();

    CommitResult plan = groups.commit(TestSpecs.size("web", 4, "ami-12345678", null), true).block();

    assertThat(plan.pretend()).isTrue();
    assertThat(plan.plan()).isEqualTo(new PlanSummary(2, 0, 2));
    assertThat(harness.ec2.calls("RunInstances")).isEqualTo(1);
    assertThat(harness.ec2.calls("TerminateInstances")).isZero();
    assertThat(store.load("web").block().spec().allocation().count()).isEqualTo(2);
  }

  @Test
  void commit_overTheCap_refusedBeforeAnyEc2Call() {
    assertThatThrownBy(() -> groups.commit(TestSpecs.size("big", 101), false).block())
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("$.Properties.Allocation.Size")
        .hasMessageContaining("limit of 100");
    assertThat(harness.ec2.calls()).isEmpty();

    GroupController raised = GroupController.create(InstancePlugin.ec2(harness.client), store,
        ControllerSettings.defaults().withMaxInstancesPerGroup(150), harness.clock);
    assertThat(raised.commit(TestSpecs.size("big", 101), false).block().managing()).isEqualTo(101);
    assertThat(harness.ec2.instances()).hasSize(101);
  }

  @Test
  void commit_unknownImage_refusedAndNothingStored() {
    assertThatThrownBy(() -> groups.commit(TestSpecs.size("web", 1, "ami-00000000", null), false).block())
        .hasMessageContaining("InvalidAMIID.NotFound");
    assertThat(store.list().collectList().block()).isEmpty();
    assertThat(harness.ec2.calls("RunInstances")).isZero();
  }

  @Test
  void reconcile_instanceTerminatedBehindOurBack_replaced() {
    groups.commit(TestSpecs.size("web", 3), false).block();
    harness.allRunning();
    String victim = harness.ec2.instances().get(0).instanceId();
    harness.client.terminateInstances(r -> r.instanceIds(victim)).join();

    RoundResult round = groups.reconcile("web").block();

    assertThat(round.launched()).isEqualTo(1);
    assertThat(live()).hasSize(3);
  }

  @Test
  void reconcile_scaleDown_outOfDateGoFirst() {
    groups.commit(TestSpecs.size("web", 2), false).block();
    harness.allRunning();
    List<String> old = ids();
    groups.commit(TestSpecs.size("web", 2, "ami-12345678", "{\"Surge\": 2, \"MaxUnavailable\": 0}"), false).block();
    harness.allRunning();

    groups.commit(TestSpecs.size("web", 2, "ami-12345678", null), false).block();

    assertThat(live()).hasSize(2).noneMatch(i -> old.contains(i.instanceId()))
        .allSatisfy(i -> assertThat(i.imageId()).isEqualTo("ami-12345678"));
  }

  @Test
  void rollingUpdate_waitsForReplacementsToRunBeforeTheNextBatch() {
    groups.commit(TestSpecs.size("web", 4), false).block();
    harness.allRunning();
    GroupSpec v2 = TestSpecs.size("web", 4, "ami-12345678", "{\"MaxUnavailable\": 2, \"Surge\": 0}");

    groups.commit(v2, false).block();
    assertThat(outdated(v2)).hasSize(2);
    assertThat(live()).hasSize(4);

    groups.reconcile("web").block();
    groups.reconcile("web").block();
    assertThat(outdated(v2)).as("replacements are pending: the next batch waits").hasSize(2);

    harness.allRunning();
    groups.reconcile("web").block();
    assertThat(outdated(v2)).isEmpty();
    assertThat(live()).hasSize(4);
    harness.allRunning();
    assertThat(groups.describe("web").block().converged()).isTrue();
  }

  @Test
  void rollingUpdate_countPacing_waitsThatManySettledRounds() {
    groups.commit(TestSpecs.size("web", 2), false).block();
    harness.allRunning();
    GroupSpec v2 = TestSpecs.size("web", 2, "ami-12345678", "{\"Count\": 2}");
    groups.commit(v2, false).block();
    harness.allRunning();

    groups.reconcile("web").block();
    groups.reconcile("web").block();
    assertThat(outdated(v2)).hasSize(1);
    groups.reconcile("web").block();
    assertThat(outdated(v2)).isEmpty();
  }

  @Test
  void throttlingStorm_backsOffExponentiallyAndSaysSoInDescribe() {
    groups.commit(TestSpecs.size("web", 2), false).block();
    harness.ec2.faults().fail("DescribeInstances", 50, Fault.REQUEST_LIMIT_EXCEEDED);
    int before = harness.ec2.calls("DescribeInstances");

    RoundResult first = groups.reconcile("web").block();
    RoundResult skipped = groups.reconcile("web").block();
    harness.clock.advance(BACKOFF);
    RoundResult second = groups.reconcile("web").block();

    assertThat(first.problem()).hasValueSatisfying(p -> {
      assertThat(p.code()).isEqualTo("RequestLimitExceeded");
      assertThat(p.retryAt()).contains(harness.clock.instant());
    });
    assertThat(skipped.skipped()).isTrue();
    assertThat(second.problem().orElseThrow().attempts()).isEqualTo(2);
    assertThat(second.problem().orElseThrow().retryAt()).contains(harness.clock.instant().plus(BACKOFF.multipliedBy(2)));
    int calls = harness.ec2.calls("DescribeInstances") - before;
    assertThat(calls).as("one call per allowed round, none while backing off").isEqualTo(2);
    harness.ec2.faults().clear();
    GroupStatus status = groups.describe("web").block();
    assertThat(status.problem()).hasValueSatisfying(p -> assertThat(p.code()).isEqualTo("RequestLimitExceeded"));

    harness.clock.advance(BACKOFF.multipliedBy(2));
    assertThat(groups.reconcile("web").block().problem()).isEmpty();
    assertThat(groups.describe("web").block().problem()).isEmpty();
  }

  @Test
  void insufficientCapacity_partialLaunchThenBackoffThenConverges() {
    harness.ec2.faults().capacity(2);

    CommitResult result = groups.commit(TestSpecs.size("web", 5), false).block();
    assertThat(live()).hasSize(2);
    RoundResult starved = groups.reconcile("web").block();
    assertThat(starved.problem()).hasValueSatisfying(p -> {
      assertThat(p.code()).isEqualTo("InsufficientInstanceCapacity");
      assertThat(p.retryAt()).isPresent();
    });

    harness.ec2.faults().clear();
    harness.clock.advance(Duration.ofMinutes(5));
    groups.reconcile("web").block();

    assertThat(result.managing()).isEqualTo(5);
    assertThat(live()).hasSize(5);
  }

  @Test
  void launchTimesOut_nextRoundRepeatsTheSameCall_noDuplicate() {
    harness.ec2.faults().delay("RunInstances", 1, Duration.ofSeconds(2));
    GroupController impatient = GroupController.create(InstancePlugin.ec2(impatientClient()), store,
        ControllerSettings.defaults(), harness.clock);

    impatient.commit(TestSpecs.size("web", 3), false).block();
    assertThat(harness.ec2.instances()).as("EC2 did launch; the answer was lost").hasSize(3);
    assertThat(store.load("web").block().pendingLaunches()).hasSize(1);
    assertThat(store.load("web").block().problem()).hasValueSatisfying(p -> assertThat(p.code()).isEqualTo("Timeout"));

    RoundResult repeated = groups.reconcile("web").block();

    assertThat(repeated.launched()).isEqualTo(3);
    assertThat(harness.ec2.instances()).hasSize(3);
    assertThat(harness.ec2.calls("RunInstances")).isEqualTo(2);
    assertThat(store.load("web").block().pendingLaunches()).isEmpty();
  }

  @Test
  void destroy_failsHalfWay_groupKeptUntilEveryInstanceIsGone() {
    GroupController small = GroupController.create(InstancePlugin.ec2(harness.client, 1000, 2), store,
        ControllerSettings.defaults(), harness.clock);
    small.commit(TestSpecs.size("web", 5), false).block();
    harness.ec2.faults().fail("TerminateInstances", 1, 1, Fault.INTERNAL_ERROR);

    DestroyResult failed = small.destroy("web").block();
    assertThat(failed.done()).isFalse();
    assertThat(failed.problem()).isPresent();
    assertThat(live()).hasSize(3);
    assertThat(store.load("web").block().destroying()).isTrue();

    assertThat(small.reconcile("web").block().launched()).as("a group being destroyed never grows").isZero();
    DestroyResult retried = small.destroy("web").block();
    assertThat(retried.done()).isFalse();
    assertThat(retried.remaining()).isEqualTo(5);
    assertThat(live()).isEmpty();
    assertThat(store.load("web").block()).isNotNull();

    harness.allTerminated();
    assertThat(small.destroy("web").block().done()).isTrue();
    assertThat(store.load("web").blockOptional()).isEmpty();
  }

  @Test
  void commit_afterDestroy_launchesAgainInOneCommit() {
    groups.commit(TestSpecs.size("web", 3), false).block();
    groups.destroy("web").block();
    harness.allTerminated();
    assertThat(groups.destroy("web").block().done()).isTrue();

    // The same spec committed again: EC2 must not take its launches for the first life's (same client token).
    CommitResult again = groups.commit(TestSpecs.size("web", 3), false).block();

    assertThat(again.message()).isEqualTo("Managing 3 instances");
    assertThat(live()).hasSize(3);
    assertThat(harness.ec2.calls("RunInstances")).isEqualTo(2);
  }

  @Test
  void restartMidUpdate_newControllerFinishesFromTheStateDirectory() {
    groups.commit(TestSpecs.size("web", 4), false).block();
    harness.allRunning();
    GroupSpec v2 = TestSpecs.size("web", 4, "ami-12345678", null);
    groups.commit(v2, false).block();
    assertThat(outdated(v2)).hasSize(3);

    GroupController restarted = controller();
    for (int round = 0; round < 8 && !outdated(v2).isEmpty(); round++) {
      harness.allRunning();
      restarted.reconcileAll().blockLast();
    }

    harness.allRunning();
    assertThat(outdated(v2)).isEmpty();
    assertThat(live()).hasSize(4);
    assertThat(restarted.describe("web").block().converged()).isTrue();
  }

  @Test
  void logicalIds_oneInstancePerAddress_replacedInPlace() {
    GroupSpec v1 = TestSpecs.logical("managers", "ami-4926fd29", List.of("10.0.9.1", "10.0.9.2"));
    groups.commit(v1, false).block();
    harness.allRunning();
    assertThat(live()).extracting(Ec2Emulator.Instance::privateIpAddress).containsExactlyInAnyOrder("10.0.9.1", "10.0.9.2");

    GroupSpec v2 = TestSpecs.logical("managers", "ami-12345678", List.of("10.0.9.1", "10.0.9.2"));
    groups.commit(v2, false).block();
    assertThat(live()).hasSize(1);
    harness.allTerminated();
    groups.reconcile("managers").block();
    harness.allRunning();
    groups.reconcile("managers").block();
    harness.allTerminated();
    groups.reconcile("managers").block();
    harness.allRunning();

    assertThat(live()).extracting(Ec2Emulator.Instance::privateIpAddress).containsExactlyInAnyOrder("10.0.9.1", "10.0.9.2");
    assertThat(live()).allSatisfy(i -> assertThat(i.imageId()).isEqualTo("ami-12345678"));
  }

  @Test
  void free_forgetsTheGroupAndLeavesItsInstances() {
    groups.commit(TestSpecs.size("web", 2), false).block();

    groups.free("web").block();

    assertThat(store.list().collectList().block()).isEmpty();
    assertThat(live()).hasSize(2);
    assertThat(groups.inspect("web").block()).hasSize(2);
    StepVerifier.create(groups.describe("web")).expectError(UnknownGroupException.class).verify();
  }

  @Test
  void watch_pollsEveryIntervalAndRepairsTheGroup() {
    // In memory: a round still in flight when the watch stops must not race the temp dir's removal.
    GroupController fast = GroupController.create(InstancePlugin.ec2(harness.client), SpecStore.inMemory(),
        ControllerSettings.defaults().withPollInterval(Duration.ofMillis(50)), harness.clock);
    fast.commit(TestSpecs.size("web", 2), false).block();
    var watching = fast.watch().subscribe();
    try {
      String victim = harness.ec2.instances().get(0).instanceId();
      harness.client.terminateInstances(r -> r.instanceIds(victim)).join();

      Ec2Harness.await("the watch to replace the terminated instance", () -> live().size() == 2
          && live().stream().noneMatch(i -> i.instanceId().equals(victim)));
    } finally {
      watching.dispose();
    }
  }

  private List<Ec2Emulator.Instance> live() {
    return harness.ec2.instances().stream().filter(i -> i.state().equals("pending") || i.state().equals("running")).toList();
  }

  private List<String> ids() {
    return live().stream().map(Ec2Emulator.Instance::instanceId).toList();
  }

  private List<Ec2Emulator.Instance> outdated(GroupSpec spec) {
    return live().stream().filter(i -> !spec.configHash().equals(i.tags().get("infrakit.config.hash"))).toList();
  }

  private software.amazon.awssdk.services.ec2.Ec2AsyncClient impatientClient() {
    return software.amazon.awssdk.services.ec2.Ec2AsyncClient.builder()
        .endpointOverride(harness.ec2.endpoint())
        .region(software.amazon.awssdk.regions.Region.US_WEST_2)
        .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("AKIDBERTHTEST0000000", "s")))
        .overrideConfiguration(o -> o.retryStrategy(software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry())
            .apiCallTimeout(Duration.ofMillis(300)))
        .build();
  }

}
