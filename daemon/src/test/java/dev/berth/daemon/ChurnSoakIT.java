package dev.berth.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.LabClients;
import dev.berth.testing.ChurnSoak;
import dev.berth.testing.DockerLab;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The churn soak (issue 10), CI's one-minute version of {@code bench/soak.sh}: containers replaced
 * one every two seconds on reused addresses with alternating roles, all hammering their credentials
 * through the packaged daemon with the bridge guard; then {@code kill -9} of the lab's Docker engine
 * and a start (no event says anything stopped; the new engine kills the containers and starts them
 * again by their restart policy, on addresses handed out afresh); then STS down for 15 s; then
 * {@code kill -9} of the daemon and a restart. Not one answer may carry another container's role.
 */
final class ChurnSoakIT {

  @Test
  void churn_engineRestart_stsDown_andKill9_neverServeAnotherContainersRole() {
    try (DockerLab lab = DockerLab.connect()) {
      LabClients.requireInsideLab(lab);
      ChurnSoak.Report report = ChurnSoak.builder(lab, Path.of("target/berth-proxy.jar").toAbsolutePath())
          .slots(4).churn(Duration.ofSeconds(30)).crashEngine(Path.of("../scripts/lab/engine"), Duration.ofSeconds(1))
          .stsDown(Duration.ofSeconds(15)).killDaemon(true).run();
      System.out.println(report);
      Map<String, ChurnSoak.Phase> phases = report.phases().stream()
          .collect(Collectors.toMap(ChurnSoak.Phase::name, phase -> phase, (a, b) -> a));

      assertThat(report.mismatches()).as(report.toString()).isZero();
      assertThat(phases.get("churn").statuses()).as(report.toString()).containsKey("200");
      // The engine came back: the daemon listed its containers again and answers each its own role
      // (the soak waited for that); the churn after it (STS down) still finds the new containers.
      assertThat(report.engineRestarts()).singleElement().satisfies(crash ->
          assertThat(crash.resyncs()).as(report.toString()).isGreaterThanOrEqualTo(1));
      assertThat(phases.get("engine-crash").statuses()).as(report.toString()).containsKey("200");
      // Containers whose credentials were cached before STS went down keep being served.
      assertThat(phases.get("sts-down").statuses()).as(report.toString()).containsKey("200");
      // No flood when STS comes back: about one call per container that waited, not one per request.
      assertThat(report.assumeRoleCallsAfterStsRecovered()).as(report.toString()).isLessThanOrEqualTo(4 * 4);
      // With the daemon killed, containers are refused (the rules stay): nothing else answers them.
      assertThat(phases.get("killed").statuses()).as(report.toString()).containsKey("refused");
      assertThat(phases.get("restarted").statuses()).as(report.toString()).containsKey("200");
      assertThat(report.recoveryMillis()).isPositive();
    }
  }
}
