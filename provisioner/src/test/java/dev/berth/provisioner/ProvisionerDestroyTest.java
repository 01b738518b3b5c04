package dev.berth.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.provisioner.controller.ControllerSettings;
import dev.berth.provisioner.controller.DestroyResult;
import dev.berth.provisioner.controller.UnknownGroupException;
import dev.berth.provisioner.store.SpecStore;
import dev.berth.runtime.BerthRuntime;
import dev.berth.testing.Ec2Emulator;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Provisioner#destroy(String, Duration)} against the EC2 emulator: it returns only once
 * EC2 shows every instance terminated (the SDK's waiter polls the shutting-down instances),
 * repeats a pass that EC2 failed, and gives up at its limit leaving the group marked for destruction.
 */
final class ProvisionerDestroyTest {

  private Ec2Harness harness;
  private Provisioner provisioner;

  @BeforeEach
  void start() {
    harness = Ec2Harness.start();
    provisioner = Provisioner.builder()
        .runtime(BerthRuntime.builder().region("us-west-2").ec2Endpoint(harness.ec2.endpoint()).ec2MaxAttempts(1))
        .store(SpecStore.inMemory())
        .settings(ControllerSettings.defaults().withPollInterval(Duration.ofMillis(50)))
        .clock(harness.clock)
        .start();
    provisioner.groups().commit(TestSpecs.size("web", 2), false).block();
    harness.allRunning();
  }

  @AfterEach
  void stop() {
    provisioner.close();
    harness.close();
  }

  @Test
  void destroy_returnsOnceEc2ShowsEveryInstanceTerminated_thenTheGroupIsForgotten() throws Exception {
    CompletableFuture<DestroyResult> destroy = provisioner.destroy("web", Duration.ofSeconds(20)).toFuture();

    Ec2Harness.await("the instances to be shutting down",
        () -> harness.ec2.instances().stream().allMatch(i -> i.state().equals("shutting-down")));
    int describes = harness.ec2.calls("DescribeInstances");
    Ec2Harness.await("the waiter to ask EC2 again", () -> harness.ec2.calls("DescribeInstances") >= describes + 2);
    assertThat(destroy).as("still shutting down: not destroyed yet").isNotDone();

    harness.allTerminated();
    DestroyResult result = destroy.get(20, TimeUnit.SECONDS);

    assertThat(result.done()).isTrue();
    assertThat(harness.ec2.instances()).allMatch(i -> i.state().equals("terminated"));
    assertThatThrownBy(() -> provisioner.groups().describe("web").block()).isInstanceOf(UnknownGroupException.class);
  }

  @Test
  void destroy_instancesStillShuttingDownAtTheLimit_failsAndTheGroupStaysMarked() {
    assertThatThrownBy(() -> provisioner.destroy("web", Duration.ofMillis(300)).block())
        .hasMessageContaining("wait");

    assertThat(provisioner.groups().describe("web").block().destroying()).isTrue();
    assertThat(harness.ec2.instances()).allMatch(i -> i.state().equals("shutting-down"));
  }

  @Test
  void destroy_ec2FailsTheTerminateOnce_thePassIsRepeatedAndTheGroupDestroyed() throws Exception {
    harness.ec2.faults().fail("TerminateInstances", 1, Ec2Emulator.Fault.REQUEST_LIMIT_EXCEEDED);
    CompletableFuture<DestroyResult> destroy = provisioner.destroy("web", Duration.ofSeconds(20)).toFuture();

    Ec2Harness.await("the repeated pass to terminate the instances",
        () -> harness.ec2.instances().stream().allMatch(i -> i.state().equals("shutting-down")));
    harness.allTerminated();

    assertThat(destroy.get(20, TimeUnit.SECONDS).done()).isTrue();
    assertThat(harness.ec2.calls("TerminateInstances")).isEqualTo(2);
  }

  @Test
  void destroy_ec2KeepsFailingUntilTheLimit_answersTheProblemAndTheGroupStaysMarked() {
    harness.ec2.faults().fail("TerminateInstances", 1_000, Ec2Emulator.Fault.REQUEST_LIMIT_EXCEEDED);

    DestroyResult last = provisioner.destroy("web", Duration.ofMillis(300)).block();

    assertThat(last.done()).isFalse();
    assertThat(last.problem()).hasValueSatisfying(p -> assertThat(p.code()).isEqualTo("RequestLimitExceeded"));
    assertThat(provisioner.groups().describe("web").block().destroying()).isTrue();
  }
}
