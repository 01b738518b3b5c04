package dev.berth.iptables.cli;

import dev.berth.iptables.Iptables;
import dev.berth.iptables.BridgeGuard;
import dev.berth.iptables.Iptables.Backend;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Where and how the rules are written: backend, lock wait, network namespace. */
final class HostOptions {

  @Option(names = "--backend", paramLabel = "auto|nft|legacy", defaultValue = "${env:BERTH_IPTABLES_BACKEND:-auto}",
      description = "iptables backend; auto uses what `iptables --version` reports [BERTH_IPTABLES_BACKEND] "
          + "(default: ${DEFAULT-VALUE}).")
  Backend backend;

  @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "${env:BERTH_IPTABLES_WAIT:-10}",
      description = "How long to wait for the xtables lock held by another program [BERTH_IPTABLES_WAIT] "
          + "(default: ${DEFAULT-VALUE}).")
  int waitSeconds;

  @Option(names = "--netns", paramLabel = "NAME|PATH", defaultValue = "${env:BERTH_IPTABLES_NETNS}",
      description = "Act on this network namespace (a name under /run/netns, or a path) instead of the host's "
          + "[BERTH_IPTABLES_NETNS].")
  String netns;

  @Option(names = {"-v", "--verbose"}, defaultValue = "${env:BERTH_IPTABLES_VERBOSE:-false}",
      description = "Log what is run, and the batches written, on stderr [BERTH_IPTABLES_VERBOSE].")
  boolean verbose;

  /** The bridge guard of the same namespace. */
  BridgeGuard.Builder guard() {
    BridgeGuard.Builder builder = BridgeGuard.builder();
    if (netns != null && !netns.isBlank()) {
      builder.networkNamespace(netns.contains("/") ? Path.of(netns) : Path.of("/run/netns", netns));
    }
    return builder;
  }

  /** The settings as a builder; validates them. */
  Iptables.Builder builder() {
    // slf4j-simple reads its level once, when the first logger is made, which is after parsing.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "debug" : "warn");
    System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
    System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
    Iptables.Builder builder = Iptables.builder().backend(backend).lockWait(Duration.ofSeconds(waitSeconds));
    if (netns != null && !netns.isBlank()) {
      builder.networkNamespace(netns.contains("/") ? Path.of(netns) : Path.of("/run/netns", netns));
    }
    return builder;
  }
}
