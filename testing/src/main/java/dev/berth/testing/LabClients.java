package dev.berth.testing;

import dev.berth.testing.DockerLab.ExecResult;
import dev.berth.testing.DockerLab.RunningContainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * What the lab's integration tests do again and again: run the host's real clients inside a
 * container ({@code chroot /host}), read what curl saw, tell which role a key was issued for, and
 * run commands in the lab's own namespace, where the test JVM lives.
 */
public final class LabClients {

  private final DockerLab lab;
  private final StsEmulator sts;

  public LabClients(DockerLab lab, StsEmulator sts) {
    this.lab = lab;
    this.sts = sts;
  }

  /** Runs a host binary in {@code container}, chrooted into the host's root, with only {@code env} set. */
  public ExecResult onHost(RunningContainer container, Map<String, String> env, String... command) {
    List<String> argv = new ArrayList<>(List.of("env", "-i", "HOME=/tmp", "PATH=/usr/bin:/bin",
        "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"));
    env.forEach((k, v) -> argv.add(k + "=" + v));
    argv.add("chroot");
    argv.add(DockerLab.HOST_ROOT);
    argv.addAll(List.of(command));
    return lab.exec(container, argv.toArray(String[]::new));
  }

  /** The host's curl, from inside {@code container}. */
  public Seen curl(RunningContainer container, String url, String... extra) {
    List<String> argv = new ArrayList<>(List.of("/usr/bin/curl", "-s", "-S", "--max-time", "10", "-w", "\n%{http_code}"));
    argv.addAll(List.of(extra));
    argv.add(url);
    return Seen.of(onHost(container, Map.of(), argv.toArray(String[]::new)));
  }

  /** The role STS issued {@code accessKeyId} for. */
  public String roleOfKey(String accessKeyId) {
    return sts.issued(accessKeyId.trim()).orElseThrow(() -> new AssertionError("STS never issued " + accessKeyId))
        .roleArn();
  }

  /** The role of the access key in a credential document. */
  public String roleOfDocument(String document) {
    var matcher = Pattern.compile("\"AccessKeyId\" : \"([A-Z0-9]+)\"").matcher(document);
    if (!matcher.find()) {
      throw new AssertionError("no role in the credential document: " + document);
    }
    return roleOfKey(matcher.group(1));
  }

  /** The body and status curl saw. */
  public record Seen(String body, int status) {
    static Seen of(ExecResult result) {
      String out = result.stdout();
      int cut = out.lastIndexOf('\n');
      if (cut < 0) {
        throw new AssertionError("curl printed no status: " + out + " " + result.stderr());
      }
      return new Seen(out.substring(0, cut), Integer.parseInt(out.substring(cut + 1).trim()));
    }
  }

  /** Refuses to go on unless this JVM is inside the lab's network namespace: iptables must never touch the host's. */
  public static void requireInsideLab(DockerLab lab) {
    long own = inode(Path.of("/proc/self/ns/net"));
    long parent = ProcessHandle.current().parent()
        .map(p -> inode(Path.of("/proc", Long.toString(p.pid()), "ns", "net"))).orElse(own);
    if (!lab.jvmInsideLab() || own == parent) {
      throw new IllegalStateException("refusing to touch iptables: this JVM is not inside the Docker lab's "
          + "network namespace (integration tests run through failsafe, i.e. scripts/lab/bin/java)");
    }
  }

  /** Runs a command in the lab's namespace; fails unless it succeeds. */
  public static String run(String... argv) {
    ExecResult result = exec(argv);
    if (result.exitCode() != 0) {
      throw new IllegalStateException(String.join(" ", argv) + " failed: " + result.stderr());
    }
    return result.stdout();
  }

  /** Runs a command in the lab's namespace, bounded to a minute. */
  public static ExecResult exec(String... argv) {
    try {
      Path out = Files.createTempFile("berth-lab", ".out");
      Path err = Files.createTempFile("berth-lab", ".err");
      Process process = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", argv) + " did not finish");
      }
      ExecResult result = new ExecResult(process.exitValue(), Files.readString(out), Files.readString(err));
      Files.delete(out);
      Files.delete(err);
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Whether a TCP connection is accepted within 1.5 s (a dropped SYN times out). */
  public static boolean connects(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1500);
      return true;
    } catch (SocketTimeoutException dropped) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long inode(Path path) {
    try {
      return ((Number) Files.getAttribute(path, "unix:ino")).longValue();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
