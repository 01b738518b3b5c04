package dev.berth.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.iptables.Iptables.Backend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Packets through the rules, IPv4 and IPv6: a "host" namespace of the test's own, with a small
 * server on {@code [::]:18000} that answers with the caller's address, and two "container"
 * namespaces attached by veth pairs. {@code steered} is listed in the spec, {@code other} is not.
 * The container namespaces route only into the host namespace, which has no route anywhere, so the
 * metadata addresses these tests call exist only as the rules make them.
 */
final class TrafficIT {

  private static final int PORT = 18000;
  private static final String SERVER = """
      import http.server, socket, sys
      class Echo(http.server.BaseHTTPRequestHandler):
          def do_GET(self):
              body = self.client_address[0].encode()
              self.send_response(200)
              self.send_header('Content-Length', str(len(body)))
              self.end_headers()
              self.wfile.write(body)
          def log_message(self, *args):
              pass
      class Server(http.server.ThreadingHTTPServer):
          address_family = socket.AF_INET6
      print('ready', flush=True)
      Server(('::', int(sys.argv[1])), Echo).serve_forever()
      """;

  /** The host namespace, the two container namespaces and the server; all removed on close. */
  private static final class World implements AutoCloseable {
    final PrivateNamespace host = PrivateNamespace.create();
    final PrivateNamespace steered = PrivateNamespace.create();
    final PrivateNamespace other = PrivateNamespace.create();
    Process server;

    World(Path dir) {
      attach(steered, "tsteer", "198.19.1", "fd00:b:1");
      attach(other, "tother", "198.19.2", "fd00:b:2");
      try {
        Path script = Files.writeString(dir.resolve("echo.py"), SERVER);
        server = new ProcessBuilder("nsenter", "--net=" + host.path, "--", "python3", script.toString(),
            Integer.toString(PORT)).redirectErrorStream(true).start();
        assertThat(new String(server.getInputStream().readNBytes(6))).isEqualTo("ready\n");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** A veth {@code name}-h in the host (x.1, y::1) to {@code name}-c in the container (x.2, y::2), default routes in. */
    private void attach(PrivateNamespace container, String name, String v4, String v6) {
      host.run("ip", "link", "add", name + "-h", "type", "veth", "peer", "name", name + "-c", "netns", container.name);
      host.run("ip", "addr", "add", v4 + ".1/24", "dev", name + "-h");
      host.run("ip", "addr", "add", v6 + "::1/64", "dev", name + "-h", "nodad");
      host.run("ip", "link", "set", name + "-h", "up");
      container.run("ip", "addr", "add", v4 + ".2/24", "dev", name + "-c");
      container.run("ip", "addr", "add", v6 + "::2/64", "dev", name + "-c", "nodad");
      container.run("ip", "link", "set", name + "-c", "up");
      container.run("ip", "route", "add", "default", "via", v4 + ".1");
      container.run("ip", "-6", "route", "add", "default", "via", v6 + "::1");
    }

    /** curl from {@code from}: the body (the caller's address as the server saw it), or "exit N". */
    String get(PrivateNamespace from, String url) {
      CommandRunner.Result result = from.exec("curl", "-s", "-g", "--max-time", "3", url);
      return result.succeeded() ? result.stdout() : "exit " + result.exitCode();
    }

    @Override
    public void close() {
      if (server != null) {
        server.destroyForcibly();
      }
      other.close();
      steered.close();
      host.close();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Backend.class, names = {"NFT", "LEGACY"})
  void dnat_ipv4AndIpv6_reachTheProxy_withTheContainersOwnSourceAddress(Backend backend, @TempDir Path dir) {
    try (World world = new World(dir)) {
      IptablesSpec spec = IptablesSpec.dnat("198.19.1.1", PORT).withProxyAddress6("fd00:b:1::1")
          .withInterfaces(List.of("tsteer-h")).withIpv6(IptablesSpec.Ipv6.ON);
      assertThat(world.get(world.steered, "http://169.254.169.254/")).startsWith("exit ");
      world.host.iptables(backend).install(spec).block();

      assertThat(world.get(world.steered, "http://169.254.169.254/latest/meta-data/")).isEqualTo("::ffff:198.19.1.2");
      assertThat(world.get(world.steered, "http://[fd00:ec2::254]/latest/meta-data/")).isEqualTo("fd00:b:1::2");
      // Not steered from an interface outside the spec, and the proxy's port is dropped there.
      assertThat(world.get(world.other, "http://169.254.169.254/")).startsWith("exit ");
      assertThat(world.get(world.other, "http://198.19.2.1:" + PORT + "/")).isEqualTo("exit 28");
      assertThat(world.get(world.other, "http://[fd00:b:2::1]:" + PORT + "/")).isEqualTo("exit 28");
      assertThat(world.get(world.steered, "http://198.19.1.1:" + PORT + "/")).isEqualTo("::ffff:198.19.1.2");

      world.host.iptables(backend).remove().block();
      assertThat(world.get(world.other, "http://198.19.2.1:" + PORT + "/")).isEqualTo("::ffff:198.19.2.2");
      assertThat(world.get(world.steered, "http://169.254.169.254/")).startsWith("exit ");
    }
  }

  @Test
  void redirect_toThePortOnTheArrivingInterface(@TempDir Path dir) {
    try (World world = new World(dir)) {
      world.host.iptables(Backend.AUTO).install(IptablesSpec.redirect(PORT).withInterfaces(List.of("tsteer-h"))).block();
      assertThat(world.get(world.steered, "http://169.254.169.254/latest/meta-data/")).isEqualTo("::ffff:198.19.1.2");
      assertThat(world.get(world.steered, "http://[fd00:ec2::254]/latest/meta-data/")).isEqualTo("fd00:b:1::2");
      assertThat(world.get(world.other, "http://198.19.2.1:" + PORT + "/")).isEqualTo("exit 28");
    }
  }

  @Test
  void loopback_droppedUnlessAllowed(@TempDir Path dir) {
    try (World world = new World(dir)) {
      Iptables iptables = world.host.iptables(Backend.AUTO);
      IptablesSpec spec = IptablesSpec.redirect(PORT).withInterfaces(List.of("tsteer-h"));
      iptables.install(spec).block();
      assertThat(world.get(world.host, "http://127.0.0.1:" + PORT + "/")).isEqualTo("exit 28");
      iptables.install(spec.withLoopbackAllowed(true)).block();
      assertThat(world.get(world.host, "http://127.0.0.1:" + PORT + "/")).isEqualTo("::ffff:127.0.0.1");
    }
  }
}
