package dev.berth.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged daemon ({@code java -jar berth-proxy.jar --iptables}) as a host runs it, started by a
 * test inside the Docker lab's namespace against the lab's engine and an STS emulator, with static
 * test credentials and {@code AWS_EC2_METADATA_DISABLED=true}. Its output goes to one log file, kept
 * across restarts.
 *
 * <pre>{@code
 * try (LabDaemon daemon = LabDaemon.start(jar, lab, sts, 18400)) { ... daemon.kill(); daemon.restart(); }
 * }</pre>
 */
public final class LabDaemon implements AutoCloseable {

  private static final String INSTALLED = "iptables: metadata traffic on";

  private final List<String> argv;
  private final Path log;
  private Process process;

  private LabDaemon(List<String> argv, Path log) {
    this.argv = argv;
    this.log = log;
  }

  /**
   * Starts the daemon listening on {@code port} (admin on the next port), upstream disabled, roles
   * under {@code arn:aws:iam::ACCOUNT:role/}, with {@code extra} flags; returns once its rules are installed.
   */
  public static LabDaemon start(Path jar, DockerLab lab, StsEmulator sts, int port, String... extra) {
    List<String> argv = new ArrayList<>(List.of("java", "-XX:-UsePerfData", "-jar", jar.toString(), "--iptables",
        "--listen", "0.0.0.0:" + port, "--admin-listen", "127.0.0.1:" + (port + 1),
        "--docker-host", lab.dockerHost().toString(), "--disable-upstream",
        "--sts-endpoint", sts.endpoint().toString(), "--region", "us-east-1",
        "--base-role-arn", "arn:aws:iam::" + sts.accountId() + ":role/"));
    argv.addAll(List.of(extra));
    try {
      LabDaemon daemon = new LabDaemon(List.copyOf(argv), Files.createTempFile("berth-daemon", ".log"));
      daemon.restart();
      return daemon;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts it again (after {@link #kill()} or {@link #stop()}); returns once its rules are installed. */
  public void restart() {
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(Map.of("AWS_EC2_METADATA_DISABLED", "true",
        "AWS_ACCESS_KEY_ID", "AKIDBERTHTEST0000000", "AWS_SECRET_ACCESS_KEY", "berth-test-secret"));
    int before = log().length();
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Await.until("the daemon installs its rules", () -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("the daemon exited (status " + process.exitValue() + "); its log: " + log());
      }
      return log().indexOf(INSTALLED, before) >= 0;
    });
  }

  /** SIGKILL: no shutdown hook runs, the rules stay. */
  public void kill() {
    process.destroyForcibly();
    waitForExit();
  }

  /** SIGTERM: a clean stop; true when it exited within 30 s. */
  public boolean stop() {
    process.destroy();
    return waitForExit();
  }

  /** Everything the daemon wrote, every start included. */
  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive() && !stop()) {
      process.destroyForcibly();
    }
  }

  private boolean waitForExit() {
    try {
      return process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
