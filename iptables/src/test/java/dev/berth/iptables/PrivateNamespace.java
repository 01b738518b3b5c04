package dev.berth.iptables;

import dev.berth.iptables.Iptables.Backend;
import dev.berth.testing.DockerLab;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace of a test's own ({@code ip netns add berth-ipt-test-PID-N}), so that the
 * module's integration tests write Berth's fixed chain names without touching the lab's rules
 * (where the proxy's tests run) or, ever, the machine's own. Every command that could touch packet
 * rules runs through {@code nsenter --net=} into it; it is deleted on {@link #close()}.
 */
final class PrivateNamespace implements AutoCloseable {

  private static final AtomicInteger COUNT = new AtomicInteger();
  private static boolean insideLab;

  final String name;
  final Path path;

  private PrivateNamespace(String name) {
    this.name = name;
    this.path = Path.of("/run/netns", name);
  }

  /**
   * Refuses loudly unless this JVM runs inside the Docker lab's namespace (failsafe starts it there)
   * and so is not in the machine's own; then makes a fresh namespace with lo up and the bridges.
   */
  static PrivateNamespace create(String... bridges) {
    requireInsideLab();
    PrivateNamespace ns = new PrivateNamespace("berth-ipt-test-" + ProcessHandle.current().pid() + "-"
        + COUNT.incrementAndGet());
    host("ip", "netns", "add", ns.name);
    try {
      long own = inode(ns.path);
      if (machineNamespaces().contains(own) || own == inode(Path.of("/proc/self/ns/net"))) {
        throw new IllegalStateException("namespace " + ns.name + " is not a new one; refusing to touch its rules");
      }
      ns.run("ip", "link", "set", "lo", "up");
      for (String bridge : bridges) {
        ns.run("ip", "link", "add", bridge, "type", "bridge");
      }
      return ns;
    } catch (RuntimeException e) {
      ns.close();
      throw e;
    }
  }

  static synchronized void requireInsideLab() {
    if (insideLab) {
      return;
    }
    try (DockerLab lab = DockerLab.connect()) {
      if (!lab.jvmInsideLab() || machineNamespaces().contains(inode(Path.of("/proc/self/ns/net")))) {
        throw new IllegalStateException("refusing to run: this JVM is not inside the Docker lab's network namespace "
            + "(integration tests run through failsafe, i.e. scripts/lab/bin/java)");
      }
    }
    insideLab = true;
  }

  /** The rules of this namespace, through {@code nsenter --net=}. */
  Iptables iptables(Backend backend) {
    return Iptables.builder().networkNamespace(path).backend(backend).build();
  }

  /** Runs {@code argv} inside the namespace and returns its stdout; fails on a non-zero exit. */
  String run(String... argv) {
    CommandRunner.Result result = exec(argv);
    if (!result.succeeded()) {
      throw new IllegalStateException(String.join(" ", argv) + " failed: " + result.stderr());
    }
    return result.stdout();
  }

  CommandRunner.Result exec(String... argv) {
    List<String> command = new ArrayList<>(List.of("nsenter", "--net=" + path, "--"));
    command.addAll(List.of(argv));
    return execute(command);
  }

  /**
   * iptables-save of the filter and nat tables of one backend and family, without comment lines
   * (they carry a timestamp). Both tables are named, so that one loaded later (legacy loads a table
   * on first use) does not make two saves differ.
   */
  String save(Backend backend, Family family) {
    String binary = HostFacts.binary(family, backend, "save");
    return (run(binary, "-t", "filter") + run(binary, "-t", "nat")).lines().filter(line -> !line.startsWith("#"))
        .reduce("", (a, b) -> a + b + "\n");
  }

  @Override
  public void close() {
    host("ip", "netns", "delete", name);
  }

  static String host(String... argv) {
    CommandRunner.Result result = execute(List.of(argv));
    if (!result.succeeded()) {
      throw new IllegalStateException(String.join(" ", argv) + " failed: " + result.stderr());
    }
    return result.stdout();
  }

  private static CommandRunner.Result execute(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
      process.getOutputStream().close();
      byte[] out = process.getInputStream().readAllBytes();
      byte[] err = process.getErrorStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(command + " did not finish");
      }
      return new CommandRunner.Result(process.exitValue(), new String(out, StandardCharsets.UTF_8),
          new String(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The namespace this JVM was started from (Maven's: scripts/lab/bin/java execs nsenter, which execs
   * the JVM) and, where the sandbox lets us see it, init's: the machine's own.
   */
  private static Set<Long> machineNamespaces() {
    Set<Long> inodes = new HashSet<>();
    ProcessHandle.current().parent().ifPresent(parent -> inodes.add(inode(Path.of("/proc", Long.toString(parent.pid()),
        "ns", "net"))));
    try {
      inodes.add(inode(Path.of("/proc/1/ns/net")));
    } catch (UncheckedIOException hidden) {
      // not visible in every sandbox; the parent's namespace is
    }
    if (inodes.isEmpty()) {
      throw new IllegalStateException("cannot tell the machine's own network namespace; refusing to run");
    }
    return inodes;
  }

  private static long inode(Path path) {
    try {
      return ((Number) Files.getAttribute(path, "unix:ino")).longValue();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
