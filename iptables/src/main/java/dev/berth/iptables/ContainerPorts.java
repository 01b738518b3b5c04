package dev.berth.iptables;

import dev.berth.iptables.IptablesException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/*
 * Design notes. Docker does not report the host side of a container's veth. The kernel does: each
 * interface inside the container names its peer's index on the host in sysfs (iflink), and the
 * container's own sysfs is reachable from the host as /proc/PID/root/sys. Only the kernel writes
 * those files, and a container with default capabilities can neither rename its interfaces nor
 * remount /sys, so what is read there is the container's real wiring. The host's interface of
 * that index comes from `ip -o link` in the daemon's network namespace (the daemon may run inside
 * one, where /sys still shows the namespace it was mounted in).
 */

/**
 * Finds the host-side bridge ports of a running container: for each of the container's interfaces,
 * by its MAC address, the veth on the host it is wired to and the bridge that veth is a port of.
 * Needs to see the container's processes ({@code /proc/PID}): a daemon in a container runs with
 * {@code --pid=host}.
 */
public final class ContainerPorts {

  /** A container interface's host side. */
  public record Port(String name, String bridge) {}

  private final Path proc;
  private final CommandRunner runner;

  ContainerPorts(Path proc, CommandRunner runner) {
    this.proc = proc;
    this.runner = runner;
  }

  /** Ports as this process sees them: {@code /proc} and {@code ip} in its own network namespace. */
  public static ContainerPorts system() {
    return new ContainerPorts(Path.of("/proc"), new ProcessCommandRunner(List.of(), Duration.ofSeconds(10)));
  }

  /**
   * The host-side ports of the container whose main process is {@code pid}, keyed by the MAC
   * address (lower case) of the container interface each is wired to; interfaces that are not
   * wired to a bridge port on this host are left out. Reads files and runs {@code ip}: it blocks,
   * so call it off the event loop (e.g. on {@code Schedulers.boundedElastic()}).
   *
   * @throws IptablesException when the process's interfaces cannot be read or {@code ip} fails
   */
  public Map<String, Port> find(long pid) {
    if (pid <= 0) {
      throw new IptablesException(Reason.FAILED, "container process id " + pid + " is not a running process");
    }
    Path net = proc.resolve(Long.toString(pid)).resolve("root/sys/class/net");
    Map<String, Integer> peerByMac = new HashMap<>();
    try (DirectoryStream<Path> interfaces = Files.newDirectoryStream(net)) {
      for (Path dir : interfaces) {
        String mac = read(dir.resolve("address")).toLowerCase(Locale.ROOT);
        String iflink = read(dir.resolve("iflink"));
        String ifindex = read(dir.resolve("ifindex"));
        if (!iflink.equals(ifindex) && !mac.isEmpty()) {
          peerByMac.put(mac, Integer.parseInt(iflink));
        }
      }
    } catch (NoSuchFileException gone) {
      throw new IptablesException(Reason.FAILED, "cannot see the interfaces of process " + pid + " (" + net
          + " is missing): the container has stopped, or this process does not share the host's process ids "
          + "(run the daemon with --pid=host)");
    } catch (IOException | NumberFormatException e) {
      throw new IptablesException(Reason.FAILED, "cannot read the interfaces of process " + pid + ": " + e);
    }
    Map<Integer, Port> hostPorts = hostPorts();
    Map<String, Port> ports = new HashMap<>();
    peerByMac.forEach((mac, index) -> {
      Port port = hostPorts.get(index);
      if (port != null) {
        ports.put(mac, port);
      }
    });
    return Map.copyOf(ports);
  }

  /** Interfaces of this network namespace that are ports of a bridge, by index. */
  private Map<Integer, Port> hostPorts() {
    CommandRunner.Result listed = runner.run(List.of("ip", "-o", "link", "show"), null);
    if (!listed.succeeded()) {
      throw Failures.of("ip", listed);
    }
    return parseLinks(listed.stdout());
  }

  /**
   * Bridge ports in {@code ip -o link show} output: {@code 4: veth13a4a92@if3: <...> mtu 1500 qdisc
   * noqueue master docker0 state UP ...}.
   */
  static Map<Integer, Port> parseLinks(String output) {
    Map<Integer, Port> ports = new HashMap<>();
    for (String line : output.split("\n")) {
      String[] words = line.strip().split("\\s+");
      if (words.length < 2 || !words[0].endsWith(":")) {
        continue;
      }
      int master = List.of(words).indexOf("master");
      if (master < 0 || master + 1 >= words.length) {
        continue;
      }
      String name = words[1].substring(0, words[1].length() - 1);
      int at = name.indexOf('@');
      name = at < 0 ? name : name.substring(0, at);
      try {
        ports.put(Integer.parseInt(words[0].substring(0, words[0].length() - 1)), new Port(name, words[master + 1]));
      } catch (NumberFormatException notALink) {
        // not a link line
      }
    }
    return ports;
  }

  private static String read(Path file) throws IOException {
    return Objects.requireNonNullElse(Files.readString(file, StandardCharsets.UTF_8), "").strip();
  }
}
