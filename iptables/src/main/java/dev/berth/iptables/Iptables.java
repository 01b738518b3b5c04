package dev.berth.iptables;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * Berth's packet rules on this host: {@code BERTH-PREROUTING} in {@code nat} (jumped to from {@code
 * PREROUTING}) steers container traffic for the metadata address to the proxy, and {@code
 * BERTH-INPUT} in {@code filter} (jumped to first from {@code INPUT}) drops traffic to the proxy's
 * port from anywhere but the bridges. Nothing outside those chains and their jumps is changed.
 *
 * <pre>{@code
 * Iptables iptables = Iptables.system();
 * IptablesSpec spec = IptablesSpec.dnat("172.17.0.1", 18000).withInterfaces(List.of("docker0"));
 * iptables.install(spec).block();             // atomic; twice gives the same rules
 * Drift drift = iptables.check(spec).block();  // drift.inSync(), drift.describe()
 * iptables.remove().block();                  // a no-op when nothing is installed
 * }</pre>
 *
 * <p>Every method runs the iptables binaries on {@code Schedulers.boundedElastic()}, never on the
 * subscriber's thread, so it is safe to call from an event loop; operations of one instance run one
 * at a time. Errors are {@link IptablesException}s with a one-line message. Rules are written with
 * {@code iptables-restore --noflush -w}: all of a family's changes in one batch (one transaction
 * with the nft backend; table by table, filter first, with legacy).
 */
public interface Iptables {

  /** Which iptables backend writes the rules. */
  enum Backend {
    /** Whatever {@code iptables} is on this host ({@code iptables --version} tells which). */
    AUTO,
    /** {@code iptables-nft}: rules in nf_tables, shown by {@code iptables-nft-save}. */
    NFT,
    /** {@code iptables-legacy}: rules in x_tables, shown by {@code iptables-legacy-save}. */
    LEGACY
  }

  /**
   * Makes the rules exactly {@code spec}: creates or repairs Berth's chains, replaces their rules,
   * and keeps exactly one jump to each. Does nothing when they already match.
   *
   * @return completes when the rules are in place and read back as asked; errors with {@link
   *     IptablesException} for an unknown interface, a conflicting rule of another tool (reason
   *     {@code CONFLICT}), a missing binary or privilege
   */
  Mono<Void> install(IptablesSpec spec);

  /** Deletes Berth's chains and every jump to them, in both families; succeeds when there are none. */
  Mono<Void> remove();

  /** How the rules in place differ from {@code spec}; changes nothing. */
  Mono<Drift> check(IptablesSpec spec);

  /** The {@code iptables-restore} batches {@code install(spec)} would apply now; changes nothing. */
  Mono<String> plan(IptablesSpec spec);

  /** Berth's rules as they are in place, in iptables-save format, one section per family. */
  Mono<String> show();

  /** The backend in use ({@link Backend#AUTO} resolved through {@code iptables --version}). */
  Mono<Backend> backend();

  /** The host's own rules with its default backend and a 10 second lock wait. */
  static Iptables system() {
    return builder().build();
  }

  /** A builder for another backend, lock wait or network namespace. */
  static Builder builder() {
    return new Builder();
  }

  /** Configures an {@link Iptables}; every setter validates and returns this builder. */
  final class Builder {
    private Backend backend = Backend.AUTO;
    private Duration lockWait = Duration.ofSeconds(10);
    private Path networkNamespace;
    private CommandRunner runner;

    private Builder() {}

    /** The backend; {@link Backend#AUTO} (the default) uses what {@code iptables} is on this host. */
    public Builder backend(Backend backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
      return this;
    }

    /** How long to wait for the xtables lock held by another program ({@code -w}); 1 s to 10 min. */
    public Builder lockWait(Duration wait) {
      Objects.requireNonNull(wait, "wait");
      if (wait.toSeconds() < 1 || wait.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("lock wait " + wait.toSeconds() + " s is outside 1..600 s");
      }
      this.lockWait = wait;
      return this;
    }

    /**
     * Acts on the network namespace at {@code path} (e.g. {@code /run/netns/NAME}) through {@code
     * nsenter --net=PATH} instead of the caller's own.
     */
    public Builder networkNamespace(Path path) {
      this.networkNamespace = ProcessCommandRunner.requireNamespace(path);
      return this;
    }

    /** Replaces how commands run (tests). */
    Builder runner(CommandRunner runner) {
      this.runner = Objects.requireNonNull(runner, "runner");
      return this;
    }

    /** An {@link Iptables}; nothing runs until a returned {@code Mono} is subscribed. */
    public Iptables build() {
      CommandRunner commands = runner;
      if (commands == null) {
        commands = ProcessCommandRunner.in(networkNamespace, lockWait.plusSeconds(30));
      }
      return new SystemIptables(commands, backend, lockWait);
    }
  }
}
