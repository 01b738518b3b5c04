package dev.berth.provisioner.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.provisioner.TestSpecs;
import dev.berth.provisioner.ec2.ManagedInstance;
import dev.berth.provisioner.spec.GroupSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class PlannerTest {

  private static final GroupSpec V1 = TestSpecs.size("web", 3);
  private static final GroupSpec V2 = TestSpecs.size("web", 3, "ami-12345678", null);

  @Test
  void step_empty_launchesTheSize() {
    Step step = Planner.step(V1, List.of(), 100, true);

    assertThat(step.launches()).hasSize(3);
    assertThat(step.terminate()).isEmpty();
  }

  @Test
  void step_tooMany_removesNotRunningThenNewest() {
    List<ManagedInstance> observed = List.of(running("a", V1, 1), running("b", V1, 2), pending("c", V1, 3),
        running("d", V1, 4), running("e", V1, 5));

    assertThat(Planner.step(V1, observed, 100, true).terminate()).containsExactly("c", "e");
  }

  @Test
  void step_cap_neverLaunchesBeyondIt() {
    assertThat(Planner.step(TestSpecs.size("web", 3), List.of(running("a", V1, 1)), 2, true).launches()).hasSize(1);
  }

  @Test
  void step_rollingDefault_oneOutThenOneIn() {
    List<ManagedInstance> observed = List.of(running("a", V1, 1), running("b", V1, 2), running("c", V1, 3));

    Step step = Planner.step(V2, observed, 100, true);

    assertThat(step.terminate()).hasSize(1);
    assertThat(step.launches()).hasSize(1);
    assertThat(step.rolling()).isTrue();
  }

  @Test
  void step_rollingWithSurge_launchesFirstAndKeepsEveryOldRunning() {
    GroupSpec surge = TestSpecs.size("web", 3, "ami-12345678", "{\"Surge\": 2, \"MaxUnavailable\": 0}");
    List<ManagedInstance> observed = List.of(running("a", V1, 1), running("b", V1, 2), running("c", V1, 3));

    Step step = Planner.step(surge, observed, 100, true);

    assertThat(step.terminate()).isEmpty();
    assertThat(step.launches()).hasSize(2);
  }

  @Test
  void step_batchMayNotStart_noRunningOldInstanceTerminated() {
    List<ManagedInstance> observed = List.of(running("a", V1, 1), running("b", V1, 2), pending("n", V2, 3));

    Step step = Planner.step(V2, observed, 100, false);

    assertThat(step.terminate()).isEmpty();
    assertThat(step.waiting()).isPresent();
  }

  @Test
  void step_outdatedNotRunning_terminatedAtOnce() {
    List<ManagedInstance> observed = List.of(running("a", V1, 1), running("b", V1, 2), pending("c", V1, 3));

    assertThat(Planner.step(V2, observed, 100, false).terminate()).containsExactly("c");
  }

  @Test
  void summary_countsCreatesTerminationsAndReplacements() {
    List<ManagedInstance> three = List.of(running("a", V1, 1), running("b", V1, 2), running("c", V1, 3));

    assertThat(Planner.summary(TestSpecs.size("web", 5, "ami-12345678", null), three)).isEqualTo(new PlanSummary(2, 0, 3));
    assertThat(Planner.summary(TestSpecs.size("web", 1, "ami-12345678", null), three)).isEqualTo(new PlanSummary(0, 2, 1));
    assertThat(Planner.summary(TestSpecs.size("web", 1), three)).isEqualTo(new PlanSummary(0, 2, 0));
    assertThat(Planner.summary(V1, three)).isEqualTo(PlanSummary.NONE);
  }

  @Test
  void step_logicalIds_missingLaunchedStrayTerminatedHeldAddressWaits() {
    GroupSpec managers = TestSpecs.logical("m", "ami-4926fd29", List.of("10.0.0.1", "10.0.0.2", "10.0.0.3"));
    List<ManagedInstance> observed = new ArrayList<>(List.of(
        at("a", managers, "10.0.0.1", "running"), at("x", managers, "10.0.0.9", "running"),
        at("z", managers, "10.0.0.3", "shutting-down")));

    Step step = Planner.step(managers, observed, 100, true);

    assertThat(step.terminate()).containsExactly("x");
    assertThat(step.launches()).containsExactly(Optional.of("10.0.0.2"));
  }

  private static ManagedInstance running(String id, GroupSpec spec, int minute) {
    return instance(id, spec, "running", minute);
  }

  private static ManagedInstance pending(String id, GroupSpec spec, int minute) {
    return instance(id, spec, "pending", minute);
  }

  private static ManagedInstance instance(String id, GroupSpec spec, String state, int minute) {
    return new ManagedInstance(id, Optional.of("10.0.0." + minute), state, spec.instanceTags(),
        Instant.parse("2026-03-01T12:00:00Z").plusSeconds(60L * minute));
  }

  private static ManagedInstance at(String id, GroupSpec spec, String address, String state) {
    return new ManagedInstance(id, Optional.of(address), state, Map.copyOf(spec.instanceTags()), Instant.EPOCH);
  }
}
