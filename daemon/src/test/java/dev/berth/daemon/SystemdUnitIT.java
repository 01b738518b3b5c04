package dev.berth.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.iptables.Iptables;
import dev.berth.testing.Await;
import dev.berth.testing.DockerLab;
import dev.berth.testing.DockerLab.ContainerSpec;
import dev.berth.testing.DockerLab.ExecResult;
import dev.berth.testing.DockerLab.RunningContainer;
import dev.berth.testing.LabClients;
import dev.berth.testing.StsEmulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code packaging/berth.service} without systemd (the lab has no init): {@code systemd-analyze verify}
 * and its offline security score, the README documenting the unit's own command line, and that command
 * line run as systemd would run it — the unit's environment only, the installed paths moved under a
 * temporary directory, an {@code /etc/default/berth} pointing at the lab — inside the lab's namespace:
 * with the unit's capability bounding set and NoNewPrivileges (setpriv), it installs the rules and the
 * bridge guard, serves a container its role, and stops cleanly on SIGTERM with a status the unit
 * counts as success. The other sandboxing directives (file system, system calls) are checked by
 * systemd-analyze only.
 */
final class SystemdUnitIT {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path UNIT = ROOT.resolve("packaging/berth.service");
  private static final String BASE = "arn:aws:iam::" + StsEmulator.DEFAULT_ACCOUNT_ID + ":role/";
  private static final String CREDS = "http://169.254.169.254/latest/meta-data/iam/security-credentials/";
  private static final int PORT = 18_540;

  @TempDir Path dir;
  private Process daemon;

  @AfterEach
  void stopDaemonAndRules() {
    if (daemon != null && daemon.isAlive()) {
      daemon.destroyForcibly();
    }
    Iptables.system().remove().block(Duration.ofSeconds(30));
    LabClients.exec("nft", "delete", "table", "bridge", "berth");
  }

  @Test
  void systemdAnalyze_acceptsTheUnit() throws IOException {
    Path unit = install();
    ExecResult verify = LabClients.exec("systemd-analyze", "verify", unit.toString());
    assertThat(verify.exitCode()).as(verify.stderr()).isZero();
    assertThat(verify.stderr()).isEmpty();
    // Exposure 0 (locked down) to 10 (unsandboxed); 3.0 is "OK". Fails if a directive is lost.
    ExecResult security = LabClients.exec("systemd-analyze", "security", "--offline=true", "--threshold=30",
        unit.toString());
    assertThat(security.exitCode()).as(security.stdout() + security.stderr()).isZero();
  }

  @Test
  void theReadme_documentsTheUnitsCommandLine() throws IOException {
    String execStart = directives(Files.readString(UNIT)).get("ExecStart").get(0);
    assertThat(Files.readString(ROOT.resolve("README.md"))).contains("ExecStart=" + execStart);
  }

  @Test
  void execStart_asSystemdRunsIt_servesContainersAndStopsCleanly() throws Exception {
    Map<String, List<String>> service = directives(Files.readString(install()));
    String execStart = service.get("ExecStart").get(0);
    assertThat(execStart).as("plain words: split on spaces as systemd does").doesNotContain("\"", "'", "$", "%", "\\");
    // The unit's capability bounding set and NoNewPrivileges, applied as systemd does for a root service
    // (util-linux setpriv): the daemon and the iptables, nft and ip it runs get those capabilities only.
    assertThat(service.get("NoNewPrivileges")).containsExactly("yes");
    String bounding = "-all" + Arrays.stream(service.get("CapabilityBoundingSet").get(0).split(" "))
        .map(cap -> ",+" + cap.replaceFirst("^CAP_", "").toLowerCase(Locale.ROOT)).collect(Collectors.joining());
    List<String> argv = new ArrayList<>(List.of("setpriv", "--bounding-set", bounding, "--inh-caps", "-all",
        "--no-new-privs", "--"));
    argv.addAll(Arrays.asList(execStart.split(" ")));
    // systemd makes these directories (RuntimeDirectory=, StateDirectory=) before it starts the command.
    Files.createDirectories(dir.resolve("run/berth"));
    Path workDir = Path.of(service.get("WorkingDirectory").get(0));
    Files.createDirectories(workDir);
    Path envFile = Path.of(service.get("EnvironmentFile").get(0).replaceFirst("^-", ""));

    try (DockerLab lab = DockerLab.connect(); StsEmulator sts = StsEmulator.start()) {
      LabClients.requireInsideLab(lab);
      writeEnvFile(envFile, lab, sts);
      // What systemd gives a unit: its default PATH, Environment=, then EnvironmentFile=, nothing inherited.
      Map<String, String> env = new LinkedHashMap<>(Map.of("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"));
      service.get("Environment").forEach(assignment -> put(env, assignment));
      Files.readAllLines(envFile).forEach(assignment -> put(env, assignment));

      Path log = dir.resolve("journal.log");
      ProcessBuilder builder = new ProcessBuilder(argv).directory(workDir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile());
      builder.environment().clear();
      builder.environment().putAll(env);
      daemon = builder.start();
      Await.until("the unit's command installs the rules", () -> {
        if (!daemon.isAlive()) {
          throw new IllegalStateException("it exited (" + daemon.exitValue() + "): " + read(log));
        }
        return read(log).contains("iptables: metadata traffic on");
      });
      assertThat(dir.resolve("run/berth/admin.sock")).as("the control API's socket in RuntimeDirectory").exists();

      LabClients clients = new LabClients(lab, sts);
      RunningContainer app = lab.start(ContainerSpec.named("unit-app").withEnv("IAM_ROLE", "unit-role").withHostRoot());
      LabClients.Seen listed = clients.curl(app, CREDS);
      assertThat(listed.status()).as(read(log)).isEqualTo(200);
      assertThat(listed.body()).isEqualTo("unit-role");
      assertThat(clients.roleOfDocument(clients.curl(app, CREDS + "unit-role").body())).isEqualTo(BASE + "unit-role");
      assertThat(read(log)).contains("bridge guard installed");

      daemon.destroy(); // SIGTERM, as systemctl stop sends
      assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).as("stopped within TimeoutStopSec").isTrue();
      List<String> success = new ArrayList<>(List.of("0"));
      success.addAll(List.of(service.get("SuccessExitStatus").get(0).split(" ")));
      assertThat(success).as("SuccessExitStatus covers a clean stop; log: " + read(log))
          .contains(Integer.toString(daemon.exitValue()));
      assertThat(LabClients.run("iptables-save") + LabClients.run("ip6tables-save")).doesNotContain("BERTH");
    }
  }

  /** Installs as the unit's header says, under {@link #dir}; returns the unit with the paths moved there. */
  private Path install() throws IOException {
    Path lib = Files.createDirectories(dir.resolve("usr/lib/berth/bin"));
    Files.copy(ROOT.resolve("daemon/target/berth-proxy.jar"), lib.resolveSibling("berth-proxy.jar"),
        StandardCopyOption.REPLACE_EXISTING);
    Files.copy(ROOT.resolve("bin/berth-proxy"), lib.resolve("berth-proxy"), StandardCopyOption.REPLACE_EXISTING);
    lib.resolve("berth-proxy").toFile().setExecutable(true);
    Files.createDirectories(dir.resolve("etc/default"));
    String unit = Files.readString(UNIT);
    for (String path : List.of("/usr/lib/berth/", "/run/berth/", "/etc/default/berth", "/var/lib/berth")) {
      unit = unit.replace(path, dir + path);
    }
    Path moved = dir.resolve("berth.service");
    Files.writeString(moved, unit);
    return moved;
  }

  /** The lab's /etc/default/berth: the daemon's options as environment variables (berth-proxy --help). */
  private static void writeEnvFile(Path file, DockerLab lab, StsEmulator sts) throws IOException {
    Files.writeString(file, String.join("\n",
        "BERTH_LISTEN=0.0.0.0:" + PORT,
        "BERTH_ADMIN_LISTEN=127.0.0.1:" + (PORT + 1),
        "BERTH_BASE_ROLE_ARN=" + BASE,
        "BERTH_STS_ENDPOINT=" + sts.endpoint(),
        "BERTH_DISABLE_UPSTREAM=true",
        "DOCKER_HOST=" + lab.dockerHost(),
        "JAVA_HOME=" + System.getProperty("java.home"),
        // The lab's stand-ins for the host's own credentials, which systemd would not set either.
        "AWS_REGION=us-east-1",
        "AWS_ACCESS_KEY_ID=AKIDBERTHTEST0000000",
        "AWS_SECRET_ACCESS_KEY=berth-test-secret",
        "AWS_EC2_METADATA_DISABLED=true") + "\n");
  }

  /** The directives of a unit file, by key, in order (comments and section headers left out). */
  static Map<String, List<String>> directives(String unit) {
    Map<String, List<String>> found = new LinkedHashMap<>();
    for (String line : unit.split("\n")) {
      int eq = line.indexOf('=');
      if (line.isBlank() || line.startsWith("#") || line.startsWith("[") || eq < 0) {
        continue;
      }
      found.computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>()).add(line.substring(eq + 1));
    }
    return found;
  }

  private static void put(Map<String, String> env, String assignment) {
    int eq = assignment.indexOf('=');
    if (eq > 0 && !assignment.startsWith("#")) {
      env.put(assignment.substring(0, eq), assignment.substring(eq + 1));
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
