package dev.berth.iptables;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * Berth's anti-spoofing on the Docker bridges: frames arriving on a bound container's port must
 * carry that container's MAC and addresses (source MAC, ARP sender, IPv4/IPv6 source, IPv6
 * neighbour-advertisement target), and no port may claim an address a bound container holds.
 * Everything else is dropped before the bridge learns its source or passes it on, so a neighbour
 * with {@code NET_RAW} (Docker's default) can neither poison the host's ARP or neighbour cache nor
 * reach the proxy under another container's address.
 *
 * <pre>{@code
 * BridgeGuard guard = BridgeGuard.system();
 * guard.install().block();                                   // an empty guard, replacing any left over
 * guard.update(List.of(binding), List.of()).block();         // bind a port, atomically
 * guard.update(List.of(), List.of(binding)).block();         // and unbind it
 * guard.remove().block();
 * }</pre>
 *
 * <p>It is one nftables table, {@code bridge berth}, written with {@code nft -f} (each call one
 * transaction) on {@code Schedulers.boundedElastic()}; calls of one instance run one at a time.
 * Errors are {@link IptablesException}s with a one-line message.
 */
public interface BridgeGuard {

  /** Creates the guard holding no binding, replacing any guard left by an earlier run. */
  Mono<Void> install();

  /**
   * Binds {@code bind} and unbinds {@code unbind} in one transaction; a binding for a port that is
   * already bound replaces it. Should the table have been changed behind Berth's back, it is
   * rewritten whole with every binding this instance holds.
   */
  Mono<Void> update(Collection<PortBinding> bind, Collection<PortBinding> unbind);

  /** The bindings in place, as this instance wrote them. */
  Collection<PortBinding> bindings();

  /** Deletes the guard's table; succeeds when there is none. */
  Mono<Void> remove();

  /** The guard's table as {@code nft list table bridge berth} prints it, or a line saying there is none. */
  Mono<String> show();

  /**
   * What is wrong with the guard in place, one line each; empty when it is installed and every
   * port it binds still exists on this host. Changes nothing.
   */
  Mono<List<String>> check();

  /** The host's own guard, run with {@code nft} from the PATH. */
  static BridgeGuard system() {
    return builder().build();
  }

  /** A builder for another network namespace. */
  static Builder builder() {
    return new Builder();
  }

  /** Configures a {@link BridgeGuard}. */
  final class Builder {
    private Path networkNamespace;
    private CommandRunner runner;

    private Builder() {}

    /** Acts on the network namespace at {@code path} (e.g. {@code /run/netns/NAME}) through {@code nsenter}. */
    public Builder networkNamespace(Path path) {
      this.networkNamespace = ProcessCommandRunner.requireNamespace(path);
      return this;
    }

    /** Replaces how commands run (tests). */
    Builder runner(CommandRunner runner) {
      this.runner = Objects.requireNonNull(runner, "runner");
      return this;
    }

    /** A {@link BridgeGuard}; nothing runs until a returned {@code Mono} is subscribed. */
    public BridgeGuard build() {
      CommandRunner commands = runner != null ? runner : ProcessCommandRunner.in(networkNamespace, Duration.ofSeconds(30));
      return new NftBridgeGuard(commands);
    }
  }
}
