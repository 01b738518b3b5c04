package dev.berth.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.iptables.IptablesException.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs harmless programs only (cat, sh, a name that does not exist); never an iptables binary. */
final class ProcessCommandRunnerTest {

  private final ProcessCommandRunner runner = new ProcessCommandRunner(List.of(), Duration.ofSeconds(10));

  @Test
  void run_passesStdinAndCollectsBothOutputs() {
    CommandRunner.Result result = runner.run(List.of("sh", "-c", "cat; echo \"$LC_ALL\" >&2; exit 3"), "a batch\n");
    assertThat(result).isEqualTo(new CommandRunner.Result(3, "a batch\n", "C\n"));
  }

  @Test
  void run_largeOutputOnBothStreams_doesNotStall() {
    CommandRunner.Result result = runner.run(List.of("sh", "-c",
        "i=0; while [ $i -lt 20000 ]; do echo \"rule $i\"; echo \"err $i\" >&2; i=$((i+1)); done"), null);
    assertThat(result.stdout().lines()).hasSize(20_000);
    assertThat(result.stderr().lines()).hasSize(20_000);
  }

  @Test
  void run_missingBinary_saysWhatToInstall() {
    assertThatThrownBy(() -> runner.run(List.of("berth-no-such-iptables-restore", "--noflush"), ""))
        .isInstanceOfSatisfying(IptablesException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MISSING_BINARY))
        .hasMessageStartingWith("berth-no-such-iptables-restore not found: install iptables (Debian/Ubuntu: apt-get");
  }

  @Test
  void run_outlivesItsBound_killed() {
    ProcessCommandRunner quick = new ProcessCommandRunner(List.of(), Duration.ofMillis(300));
    assertThatThrownBy(() -> quick.run(List.of("sleep", "30"), null)).hasMessage("sleep 30 did not finish within 300 ms");
  }

  @Test
  void read_presentAndAbsent(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("dev"), "lo: 0\n");
    assertThat(runner.read(file)).contains("lo: 0\n");
    assertThat(runner.read(dir.resolve("absent"))).isEmpty();
  }

  @Test
  void read_throughPrefix_runsCat(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("dev"), "docker0: 0\n");
    ProcessCommandRunner prefixed = new ProcessCommandRunner(List.of("env", "--"), Duration.ofSeconds(10));
    assertThat(prefixed.read(file)).contains("docker0: 0\n");
    assertThat(prefixed.read(dir.resolve("absent"))).isEmpty();
  }
}
