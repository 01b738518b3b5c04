package dev.berth.encryptor.cli;

import static dev.berth.encryptor.EncryptorHarness.KEY;
import static dev.berth.encryptor.EncryptorHarness.MARKETPLACE;
import static dev.berth.encryptor.EncryptorHarness.PLAIN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.encryptor.EncryptorHarness;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The command line in its own JVM ({@code dev.berth.encryptor.Main}, the jar's entry point, on this
 * module's class path), killed mid-run: with {@code kill -9}, after which {@code cleanup --all-stale}
 * must remove everything; and with SIGTERM, after which the process itself cleans up and exits 130.
 * The run is held mid-way by the emulator: copies take an hour. Every wait is bounded.
 */
final class EncryptProcessTest {

  private EncryptorHarness harness;
  private Process process;
  private CompletableFuture<String> stdout;

  @BeforeEach
  void start() {
    harness = EncryptorHarness.withCopyDuration(Duration.ofHours(1));
  }

  @AfterEach
  void stop() {
    if (process != null) {
      process.destroyForcibly();
    }
    harness.close();
  }

  @Test
  void killNine_midCopy_cleanupAllStale_removesEverything() throws Exception {
    CompletableFuture<String> created = launch(PLAIN, "created ami-");
    created.get(60, TimeUnit.SECONDS);

    kill9();

    assertThat(harness.ec2.createdResources()).hasSize(2);
    StringWriter out = new StringWriter();
    int status = EncryptorCli.run(new String[] {"cleanup", "--all-stale", "--region", "us-west-2", "--endpoint-url",
        harness.ec2.endpoint().toString(), "--state-dir", harness.stateDir.toString(), "--poll-interval", "20ms"},
        new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
    assertThat(status).isZero();
    assertThat(out.toString().lines()).hasSize(2).anyMatch(l -> l.startsWith("ami-")).anyMatch(l -> l.startsWith("snap-"));
    assertThat(harness.ec2.createdResources()).isEmpty();
  }

  @Test
  void killNine_marketplaceImageMidCreateImage_cleanupAllStale_terminatesAndDeletes() throws Exception {
    CompletableFuture<String> created = launch(MARKETPLACE, "created ami-");
    created.get(60, TimeUnit.SECONDS);

    kill9();

    assertThat(harness.ec2.createdResources().keySet()).anyMatch(id -> id.startsWith("i-")).anyMatch(id -> id.startsWith("vol-"));
    int status = EncryptorCli.run(new String[] {"cleanup", "--all-stale", "--region", "us-west-2", "--endpoint-url",
        harness.ec2.endpoint().toString(), "--state-dir", harness.stateDir.toString(), "--poll-interval", "20ms"},
        new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true));
    assertThat(status).isZero();
    assertThat(harness.ec2.createdResources()).isEmpty();
  }

  @Test
  void sigterm_midCopy_processCleansUp_exit130_nothingOnStdout() throws Exception {
    CompletableFuture<String> created = launch(PLAIN, "created ami-");
    created.get(60, TimeUnit.SECONDS);

    process.destroy(); // SIGTERM
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(process.exitValue()).isEqualTo(EncryptorCli.INTERRUPTED);
    assertThat(stdout.get(30, TimeUnit.SECONDS)).isEmpty();
    assertThat(harness.ec2.createdResources()).isEmpty();
  }

  /** Starts {@code encrypt IMAGE}; the future completes with the first stderr line containing {@code marker}. */
  private CompletableFuture<String> launch(String imageId, String marker) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
        "dev.berth.encryptor.Main", "encrypt", imageId, "--kms-key-id", KEY, "--region", "us-west-2",
        "--endpoint-url", harness.ec2.endpoint().toString(), "--state-dir", harness.stateDir.toString(),
        "--poll-interval", "20ms", "--max-attempts", "1"));
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("AWS_"));
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("AWS_ACCESS_KEY_ID", "AKIDBERTHTEST0000000");
    env.put("AWS_SECRET_ACCESS_KEY", "berth-test-secret");
    env.put("AWS_REGION", "us-west-2");
    process = builder.start();
    Process started = process;
    stdout = CompletableFuture.supplyAsync(() -> {
      try {
        return new String(started.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    CompletableFuture<String> seen = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          System.err.println("[encrypt] " + line);
          if (line.contains(marker)) {
            seen.complete(line);
          }
        }
        seen.completeExceptionally(new AssertionError("the process ended before logging '" + marker + "'"));
      } catch (java.io.IOException e) {
        seen.completeExceptionally(e);
      }
    }, "encrypt-stderr");
    reader.setDaemon(true);
    reader.start();
    return seen;
  }

  private void kill9() throws Exception {
    Process kill = new ProcessBuilder("kill", "-9", Long.toString(process.pid())).inheritIO().start();
    assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(137);
  }
}
