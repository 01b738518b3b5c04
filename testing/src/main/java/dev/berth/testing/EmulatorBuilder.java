package dev.berth.testing;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The settings every emulator's builder shares: the address its server binds, a TCP host and port
 * or (for an emulator that offers it, as the Docker engine's does) a unix domain socket.
 *
 * <p>Design notes: as Reactor Netty's {@code ServerTransport} does for its servers, the setters
 * live here once and return the concrete builder {@code B}, so {@code builder().port(0).clock(c)}
 * chains into the emulator's own settings. The emulator reads the fields when it binds
 * ({@link EmulatorServer}).
 *
 * @param <B> the emulator's own builder
 */
abstract class EmulatorBuilder<B extends EmulatorBuilder<B>> {

  String host = "127.0.0.1";
  int port;
  // Set only through a subclass's own setter: most AWS services are never reached over a unix socket.
  Path socket;

  EmulatorBuilder() {}

  /**
   * The address to bind, {@code 127.0.0.1} by default.
   *
   * @param host an IP address or host name of this machine
   * @return this builder
   */
  public B host(String host) {
    this.host = Objects.requireNonNull(host, "host");
    return self();
  }

  /**
   * The port to bind, 0 (any free port) by default.
   *
   * @param port 0..65535
   * @return this builder
   */
  public B port(int port) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be 0..65535 (0 picks a free port), got " + port);
    }
    this.port = port;
    return self();
  }

  // Every subclass is declared as `Builder extends EmulatorBuilder<Builder>`, so this is a B.
  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }
}
