package dev.berth.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/berth-proxy as a host runs it. Its class-data archive across restarts: the first start records
 * one into the cache directory (written when the daemon stops), the next starts map the daemon's
 * classes from it, and a recording cut short is dropped rather than handed to the JVM (which would
 * crash on it). And its heap: sized for the proxy alone, larger when the daemon also runs groups or
 * encryption jobs. Loopback only, no lab needed.
 */
final class LauncherIT {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path JAR = ROOT.resolve("daemon/target/berth-proxy.jar");

  /** A normal start's STS and EC2 endpoints: a closed loopback port, so nothing could ever leave the machine. */
  private static final String NO_STS = "http://127.0.0.1:9";
  private static final String NO_EC2 = "http://127.0.0.1:9";

  @TempDir
  Path dir;

  @Test
  void firstStartRecords_nextStartUsesTheArchive() throws Exception {
    assertThat(JAR).as("the packaged jar (Failsafe runs after package)").exists();
    Path cache = dir.resolve("cache");

    String first = runUntilReady("first", cache);
    assertThat(first).contains("class-data archive: none yet for this jar and JVM; this run records one");
    assertThat(files(cache, ".jsa.part-")).as("the recording, written as the daemon stopped").hasSize(1);

    String second = runUntilReady("second", cache);
    assertThat(second).contains("class-data archive: using ");
    assertThat(files(cache, ".jsa")).as("the checked recording, kept").hasSize(1);
    assertThat(files(cache, ".jsa.part-")).isEmpty();
    // The daemon's own classes came from the archive, not from the jar.
    assertThat(Files.readString(dir.resolve("second.classes")))
        .containsPattern("dev\\.berth\\.proxy\\.BerthProxy source: shared objects file \\(top\\)");
  }

  @Test
  void aRecordingCutShortIsDroppedAndRecordedAgain() throws Exception {
    Path cache = dir.resolve("cache");
    runUntilReady("first", cache);
    Path part = files(cache, ".jsa.part-").get(0);
    byte[] whole = Files.readAllBytes(part);
    Files.write(part, java.util.Arrays.copyOf(whole, whole.length / 3));   // as if killed while writing it

    String second = runUntilReady("second", cache);
    assertThat(second).contains("dropping " + part).contains("this run records one");
    assertThat(Files.readString(dir.resolve("second.classes")))
        .doesNotContain("source: shared objects file (top)");

    String third = runUntilReady("third", cache);
    assertThat(third).contains("class-data archive: using ");
  }

  @Test
  void localAndNormalStarts_eachRecordAndUseTheirOwn() throws Exception {
    Path cache = dir.resolve("cache");
    runUntilReady("local", cache);
    // A normal start (no engine at that socket: the index keeps retrying, the start still warms up)
    // finds no archive of its own: the local one lacks the Docker index and the AWS SDK.
    String normal = runUntilReady("normal", cache, normal());
    assertThat(normal).contains("class-data archive: none yet for this jar and JVM; this run records one");
    assertThat(files(cache, ".jsa.part-")).as("one recording per mode").hasSize(2);

    assertThat(runUntilReady("local-again", cache)).contains("class-data archive: using ");
    assertThat(runUntilReady("normal-again", cache, normal())).contains("class-data archive: using ");
    assertThat(files(cache, ".jsa")).as("both kept").hasSize(2);
  }

  @Test
  void aDaemonWithGroupsOrJobs_getsTheLargerHeapAndAnArchiveOfItsOwn() throws Exception {
    Path cache = dir.resolve("cache");
    runUntilReady("proxy", cache, normal());
    assertThat(read(dir.resolve("proxy.gc"))).contains("Heap Max Capacity: 48M").contains("Heap Initial Capacity: 32M");

    // With groups: the larger heap, and an archive of its own (the proxy's lacks the EC2 client and the pipelines).
    String groups = runUntilReady("groups", cache,
        normal("--groups-dir", dir.resolve("groups").toString(), "--ec2-endpoint", NO_EC2));
    assertThat(read(dir.resolve("groups.gc"))).contains("Heap Max Capacity: 96M");
    assertThat(groups).contains("class-data archive: none yet for this jar and JVM; this run records one");

    String jobs = runUntilReady("jobs", cache,
        normal("--encryptor-state-dir=" + dir.resolve("jobs"), "--ec2-endpoint", NO_EC2));
    assertThat(read(dir.resolve("jobs.gc"))).contains("Heap Max Capacity: 96M");
    assertThat(jobs).contains("class-data archive: using ");
  }

  @Test
  void aRunThatOnlyPrintsRecordsNothing() throws Exception {
    Path cache = dir.resolve("cache");
    ProcessBuilder version = new ProcessBuilder(ROOT.resolve("bin/berth-proxy").toString(), "--version")
        .redirectErrorStream(true).redirectOutput(dir.resolve("version.log").toFile());
    version.environment().put("BERTH_JAR", JAR.toString());
    version.environment().put("BERTH_CACHE_DIR", cache.toString());
    version.environment().put("AWS_EC2_METADATA_DISABLED", "true");
    Process run = version.start();
    assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(read(dir.resolve("version.log"))).contains("berth-proxy ").doesNotContain("class-data archive");
    // Its classes (picocli's) would make an archive of nothing the daemon needs.
    assertThat(cache).doesNotExist();
  }

  /**
   * A normal start's options, then {@code more}: no engine at its Docker socket (the index keeps
   * retrying; the start still warms up), no upstream, no reachable STS.
   */
  private String[] normal(String... more) {
    List<String> options = new ArrayList<>(List.of("--docker-host", "unix://" + dir.resolve("no-engine.sock"),
        "--disable-upstream", "--sts-endpoint", NO_STS));
    options.addAll(List.of(more));
    return options.toArray(String[]::new);
  }

  /** Runs bin/berth-proxy --local until /readyz says ready (its log says the warm-up is done), then stops it; returns its output. */
  private String runUntilReady(String name, Path cache) throws Exception {
    return runUntilReady(name, cache, "--local");
  }

  /** The same with {@code mode} instead of {@code --local}: the daemon's options for the mode. */
  private String runUntilReady(String name, Path cache, String... mode) throws Exception {
    Path output = dir.resolve(name + ".log");
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/berth-proxy").toString(),
        "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"));
    command.addAll(List.of(mode));
    ProcessBuilder launcher = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(output.toFile());
    launcher.environment().put("BERTH_JAR", JAR.toString());
    launcher.environment().put("BERTH_CACHE_DIR", cache.toString());
    launcher.environment().put("BERTH_JAVA_OPTS", "-Xlog:class+load=info:file=" + dir.resolve(name + ".classes")
        + " -Xlog:gc+init=info:file=" + dir.resolve(name + ".gc"));
    launcher.environment().put("AWS_EC2_METADATA_DISABLED", "true");
    launcher.environment().put("AWS_ACCESS_KEY_ID", "AKIDBERTHTEST0000000");
    launcher.environment().put("AWS_SECRET_ACCESS_KEY", "berth-test-secret");
    launcher.environment().put("AWS_REGION", "us-east-1");
    Process daemon = launcher.start();
    try {
      Await.until(name + " start warms up", () -> read(output).contains("warmed up the request path")
          || !daemon.isAlive());
      assertThat(daemon.isAlive()).as(read(output)).isTrue();
    } finally {
      daemon.destroy();   // SIGTERM, as systemd stops it: the JVM writes the recording on the way out
      if (!daemon.waitFor(60, TimeUnit.SECONDS)) {
        daemon.destroyForcibly();
      }
    }
    return read(output);
  }

  private static List<Path> files(Path cache, String containing) throws IOException {
    try (Stream<Path> listed = Files.list(cache)) {
      return listed.filter(p -> {
        String file = p.getFileName().toString();
        return containing.equals(".jsa") ? file.endsWith(".jsa") : file.contains(containing);
      }).toList();
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
