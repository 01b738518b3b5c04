package dev.berth.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host ports found from a container's sysfs (a directory tree made here) and {@code ip -o link} output. */
final class ContainerPortsTest {

  private static final String LINKS = """
      1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
      2: docker0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default \\    link/ether 02:42:bd:85:f9:28 brd ff:ff:ff:ff:ff:ff
      4: veth13a4a92@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master docker0 state UP mode DEFAULT group default \\    link/ether 4a:01:f9:da:af:52 brd ff:ff:ff:ff:ff:ff link-netnsid 0
      9: vethbeef001@if8: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br-0123456789ab state UP mode DEFAULT group default \\    link/ether 4a:01:f9:da:af:53 brd ff:ff:ff:ff:ff:ff link-netnsid 0
      """;

  @TempDir Path proc;

  @Test
  void eachContainerInterface_mapsToTheBridgePortItIsWiredTo() throws IOException {
    iface("lo", "00:00:00:00:00:00", 1, 1);
    iface("eth0", "02:42:C6:12:00:02", 3, 4);
    iface("eth1", "02:42:c6:13:00:02", 8, 9);
    var ports = new ContainerPorts(proc, runner(LINKS)).find(4242);
    assertThat(ports).containsOnlyKeys("02:42:c6:12:00:02", "02:42:c6:13:00:02");
    assertThat(ports.get("02:42:c6:12:00:02")).isEqualTo(new ContainerPorts.Port("veth13a4a92", "docker0"));
    assertThat(ports.get("02:42:c6:13:00:02")).isEqualTo(new ContainerPorts.Port("vethbeef001", "br-0123456789ab"));
  }

  @Test
  void anInterfaceWiredToNoBridgePort_isLeftOut() throws IOException {
    iface("eth0", "02:42:c6:12:00:02", 3, 77);
    assertThat(new ContainerPorts(proc, runner(LINKS)).find(4242)).isEmpty();
  }

  @Test
  void aProcessThatIsGone_saysWhatToCheck() {
    assertThatThrownBy(() -> new ContainerPorts(proc, runner(LINKS)).find(4242))
        .isInstanceOf(IptablesException.class).hasMessageContaining("--pid=host");
    assertThatThrownBy(() -> new ContainerPorts(proc, runner(LINKS)).find(0)).hasMessageContaining("not a running process");
  }

  private void iface(String name, String mac, int ifindex, int iflink) throws IOException {
    Path dir = Files.createDirectories(proc.resolve("4242/root/sys/class/net").resolve(name));
    Files.writeString(dir.resolve("address"), mac + "\n");
    Files.writeString(dir.resolve("ifindex"), ifindex + "\n");
    Files.writeString(dir.resolve("iflink"), iflink + "\n");
  }

  private static CommandRunner runner(String links) {
    return new CommandRunner() {
      @Override
      public Result run(List<String> argv, String stdin) {
        assertThat(argv).containsExactly("ip", "-o", "link", "show");
        return new Result(0, links, "");
      }

      @Override
      public Optional<String> read(Path file) {
        return Optional.empty();
      }
    };
  }
}
