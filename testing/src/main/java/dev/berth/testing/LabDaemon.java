package dev.berth.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The packaged daemon as a host runs it: {@code bin/berth-proxy --iptables} with {@code BERTH_JAR}
 * naming the built jar, so with the launcher's JVM flags (its small heap among them) and its
 * class-data archive (recorded by the first start that stops cleanly, used by every later one),
 * started by a test inside the Docker lab's namespace against the lab's engine and an STS emulator,
 * with static test credentials and {@code AWS_EC2_METADATA_DISABLED=true}. Its output goes to one
 * log file, kept across restarts; the archive's directory is removed by {@link #close()}.
 *
 * <pre>{@code
 * try (LabDaemon daemon = LabDaemon.start(jar, lab, sts, 18400)) { ... daemon.kill(); daemon.restart(); }
 * }</pre>
 */
public final class LabDaemon implements AutoCloseable {

  private static final String INSTALLED = "iptables: metadata traffic on";

  private final List<String> argv;
  private final Path jar;
  private final Path log;
  private final Path cache;
  private Process process;

  private LabDaemon(List<String> argv, Path jar, Path log, Path cache) {
    this.argv = argv;
    this.jar = jar;
    this.log = log;
    this.cache = cache;
  }

  /**
   * Starts the daemon listening on {@code port} (admin on the next port), upstream disabled, roles
   * under {@code arn:aws:iam::ACCOUNT:role/}, with {@code extra} flags; returns once its rules are installed.
   */
  public static LabDaemon start(Path jar, DockerLab lab, StsEmulator sts, int port, String... extra) {
    // The jar is <checkout>/daemon/target/berth-proxy.jar; the launcher <checkout>/bin/berth-proxy.
    Path launcher = jar.toAbsolutePath().getParent().getParent().getParent().resolve("bin/berth-proxy");
    if (!Files.isExecutable(launcher)) {
      throw new IllegalArgumentException("no launcher at " + launcher + " next to " + jar
          + ": LabDaemon runs the jar of a checkout, <checkout>/daemon/target/berth-proxy.jar");
    }
    List<String> argv = new ArrayList<>(List.of(launcher.toString(), "--iptables",
        "--listen", "0.0.0.0:" + port, "--admin-listen", "127.0.0.1:" + (port + 1),
        "--docker-host", lab.dockerHost().toString(), "--disable-upstream",
        "--sts-endpoint", sts.endpoint().toString(), "--region", "us-east-1",
        "--base-role-arn", "arn:aws:iam::" + sts.accountId() + ":role/"));
    argv.addAll(List.of(extra));
    try {
      LabDaemon daemon = new LabDaemon(List.copyOf(argv), jar.toAbsolutePath(), Files.createTempFile("berth-daemon", ".log"),
          Files.createTempDirectory("berth-daemon-cache", PosixFilePermissions.asFileAttribute(
              PosixFilePermissions.fromString("rwx------"))));
      try {
        daemon.restart();
      } catch (RuntimeException e) {
        daemon.close();
        throw e;
      }
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
        "AWS_ACCESS_KEY_ID", "AKIDBERTHTEST0000000", "AWS_SECRET_ACCESS_KEY", "berth-test-secret",
        "BERTH_JAR", jar.toString(), "BERTH_CACHE_DIR", cache.toString(),
        "JAVA_HOME", System.getProperty("java.home"), "BERTH_JAVA_OPTS", "-XX:-UsePerfData"));
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
      waitForExit();
    }
    try (Stream<Path> files = Files.walk(cache)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the daemon's archive directory " + cache, e);
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
