package dev.berth.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.iptables.Iptables.Backend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar target/berth-iptables.jar} as a person runs it, always with {@code --netns} on a
 * namespace of the test's own: exit codes, the drift diff, one-line errors.
 */
final class CommandLineIT {

  private static final Path JAR = Path.of("target", "berth-iptables.jar");

  private record Run(int exit, String out, String err) {}

  private static Run jar(Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    try {
      Path out = Files.createTempFile("berth-iptables-out", ".txt");
      Path err = Files.createTempFile("berth-iptables-err", ".txt");
      Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(command + " did not finish");
      }
      Run run = new Run(process.exitValue(), Files.readString(out), Files.readString(err));
      Files.delete(out);
      Files.delete(err);
      return run;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void installCheckTamperCheckInstallShowRemove() {
    try (PrivateNamespace ns = PrivateNamespace.create("docker0", "br-0123456789ab")) {
      String[] spec = {"--netns", ns.name, "--proxy-address", "198.19.0.1", "--proxy-port", "18000",
          "-i", "docker0", "-i", "br-0123456789ab"};
      Run install = jar(Map.of(), concat("install", spec));
      assertThat(install.exit()).as(install.err()).isZero();
      assertThat(install.out()).startsWith("installed: 169.254.169.254:80 DNAT to 198.19.0.1:18000 from br-0123456789ab, docker0");
      assertThat(jar(Map.of(), concat("check", spec)).exit()).isZero();

      ns.run("iptables", "-t", "filter", "-D", "BERTH-INPUT", "-i", "docker0", "-p", "tcp", "-m", "tcp", "--dport", "18000",
          "-j", "RETURN");
      Run drift = jar(Map.of(), concat("check", spec));
      assertThat(drift.exit()).isEqualTo(1);
      assertThat(drift.out()).isEqualTo("ipv4 filter:\n+ -A BERTH-INPUT -i docker0 -p tcp -m tcp --dport 18000 -j RETURN\n");
      assertThat(drift.err()).contains("1 difference(s) from the spec; run install to repair them");

      // Every option also from the environment.
      Map<String, String> env = Map.of("BERTH_IPTABLES_NETNS", ns.name, "BERTH_PROXY_ADDRESS", "198.19.0.1",
          "BERTH_IPTABLES_INTERFACES", "docker0,br-0123456789ab", "BERTH_IPTABLES_BACKEND", "auto");
      assertThat(jar(env, "install").exit()).isZero();
      assertThat(jar(env, "check").exit()).isZero();

      Run show = jar(Map.of(), "show", "--netns", ns.name);
      assertThat(show.out()).contains("*nat\n:BERTH-PREROUTING - [0:0]\n-A PREROUTING -j BERTH-PREROUTING\n");

      assertThat(jar(Map.of(), "remove", "--netns", ns.name).exit()).isZero();
      assertThat(jar(Map.of(), "remove", "--netns", ns.name).exit()).isZero();
      assertThat(ns.save(Backend.AUTO, Family.IPV4) + ns.save(Backend.AUTO, Family.IPV6)).doesNotContain("BERTH");
    }
  }

  @Test
  void badInput_oneLine_exit2() {
    try (PrivateNamespace ns = PrivateNamespace.create("docker0")) {
      Run unknown = jar(Map.of(), "install", "--netns", ns.name, "--proxy-address", "198.19.0.1", "-i", "eth7");
      assertThat(unknown.exit()).isEqualTo(2);
      assertThat(unknown.err()).isEqualTo("berth-iptables: unknown interface 'eth7': this host has docker0, lo; "
          + "give a bridge such as docker0\n");
      Run port = jar(Map.of(), "install", "--netns", ns.name, "--proxy-address", "198.19.0.1", "--proxy-port", "0",
          "-i", "docker0");
      assertThat(port.err()).isEqualTo("berth-iptables: proxy port 0 is outside 1..65535\n");
      assertThat(ns.save(Backend.AUTO, Family.IPV4)).doesNotContain("BERTH");
    }
  }

  @Test
  void iptablesNotInstalled_saysWhatToInstall(@TempDir Path bin) throws IOException {
    // A PATH with nsenter and nothing else: nsenter runs, then cannot find iptables.
    Files.createSymbolicLink(bin.resolve("nsenter"), Path.of("/usr/bin/nsenter"));
    try (PrivateNamespace ns = PrivateNamespace.create("docker0")) {
      Run run = jar(Map.of("PATH", bin.toString()), "remove", "--netns", ns.name);
      assertThat(run.exit()).isEqualTo(2);
      assertThat(run.err()).isEqualTo("berth-iptables: iptables not found: install iptables (Debian/Ubuntu: "
          + "apt-get install iptables; Fedora/RHEL: dnf install iptables-nft; Alpine: apk add iptables)\n");
    }
  }

  @Test
  void help() {
    Run help = jar(Map.of(), "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("Usage: berth-iptables", "install", "BERTH-INPUT");
    assertThat(new String(help.err().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEmpty();
  }

  private static String[] concat(String first, String... rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}
