package dev.berth.iptables;

import dev.berth.iptables.IptablesException.Reason;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** {@link BridgeGuard} with the {@code nft} binary; keeps the bindings it wrote, by port. */
final class NftBridgeGuard implements BridgeGuard {

  private static final Logger log = LoggerFactory.getLogger(BridgeGuard.class);

  private final CommandRunner runner;
  private final Object serial = new Object();
  private volatile Map<String, PortBinding> bound = Map.of();

  NftBridgeGuard(CommandRunner runner) {
    this.runner = runner;
  }

  @Override
  public Mono<Void> install() {
    return offLoop(() -> {
      nft(GuardRules.table(List.of()));
      bound = Map.of();
      log.info("bridge guard installed (nftables table {})", GuardRules.QUALIFIED);
      return null;
    });
  }

  @Override
  public Mono<Void> update(Collection<PortBinding> bind, Collection<PortBinding> unbind) {
    List<PortBinding> adding = List.copyOf(bind);
    List<PortBinding> dropping = List.copyOf(unbind);
    return offLoop(() -> {
      Map<String, PortBinding> next = new LinkedHashMap<>(bound);
      dropping.forEach(binding -> next.remove(binding.port(), binding));
      adding.forEach(binding -> next.put(binding.port(), binding));
      String batch = GuardRules.update(bound.values(), next.values());
      if (!batch.isEmpty()) {
        try {
          nft(batch);
        } catch (IptablesException e) {
          // Our picture of the table no longer matches it (deleted or edited by hand): write it whole.
          log.warn("bridge guard: {}; rewriting the whole table", e.getMessage());
          nft(GuardRules.table(next.values()));
        }
      }
      bound = Map.copyOf(next);
      forgetNeighbours(adding);
      return null;
    });
  }

  /**
   * Drops the host's neighbour entries for newly bound addresses: an entry poisoned before the
   * binding (or left by the address's previous holder) would keep sending the container's traffic
   * to the wrong port until it expired; relearned now, only the bound port can answer.
   */
  private void forgetNeighbours(List<PortBinding> added) {
    StringBuilder batch = new StringBuilder();
    for (PortBinding binding : added) {
      for (var address : binding.addresses()) {
        if (!address.isLinkLocalAddress()) {
          batch.append("neigh flush to ").append(Addresses.format(address)).append('\n');
        }
      }
    }
    if (batch.length() > 0) {
      CommandRunner.Result result = runner.run(List.of("ip", "-batch", "-"), batch.toString());
      if (!result.succeeded()) {
        log.debug("bridge guard: flushing neighbour entries: {}", Failures.oneLine(result.stderr()));
      }
    }
  }

  @Override
  public Collection<PortBinding> bindings() {
    return List.copyOf(bound.values());
  }

  @Override
  public Mono<Void> remove() {
    return offLoop(() -> {
      nft("table " + GuardRules.QUALIFIED + "\ndelete table " + GuardRules.QUALIFIED + "\n");
      bound = Map.of();
      log.info("bridge guard removed");
      return null;
    });
  }

  @Override
  public Mono<String> show() {
    return offLoop(() -> {
      CommandRunner.Result listed = runner.run(List.of("nft", "list", "table", GuardRules.FAMILY, GuardRules.TABLE), null);
      if (listed.succeeded()) {
        return listed.stdout();
      }
      if (listed.stderr().contains("No such file or directory")) {
        return "# no Berth bridge guard (nftables table " + GuardRules.QUALIFIED + ")\n";
      }
      throw failure(listed);
    });
  }

  @Override
  public Mono<List<String>> check() {
    return offLoop(() -> {
      CommandRunner.Result listed = runner.run(List.of("nft", "list", "set", GuardRules.FAMILY, GuardRules.TABLE, "ports"),
          null);
      if (!listed.succeeded()) {
        if (listed.stderr().contains("No such file or directory")) {
          return List.of("no bridge guard: the nftables table " + GuardRules.QUALIFIED + " (or its set 'ports') is "
              + "missing; start berth-proxy with --iptables (the guard is on by default)");
        }
        throw failure(listed);
      }
      Set<String> present = HostFacts.interfaces(runner.read(HostFacts.INTERFACES).orElse(""));
      List<String> problems = new ArrayList<>();
      for (String port : GuardRules.boundPorts(listed.stdout())) {
        if (!present.contains(port)) {
          problems.add("port " + port + " is bound but no longer exists on this host (its container is gone; the "
              + "daemon unbinds it when it learns so)");
        }
      }
      return problems;
    });
  }

  private void nft(String script) {
    CommandRunner.Result result = runner.run(List.of("nft", "-f", "-"), script);
    if (!result.succeeded()) {
      throw failure(result);
    }
  }

  private static IptablesException failure(CommandRunner.Result result) {
    String err = Failures.oneLine(result.stderr().isBlank() ? result.stdout() : result.stderr());
    if (result.exitCode() == 127) {
      return Failures.missing("nft");
    }
    if (err.contains("Operation not permitted") || err.contains("Permission denied")) {
      return new IptablesException(Reason.PERMISSION_DENIED, "nft was denied (" + err + "): run as root, or give "
          + "the process CAP_NET_ADMIN");
    }
    if (err.contains("Operation not supported") || err.contains("Could not process rule")) {
      return new IptablesException(Reason.UNSUPPORTED, "the kernel refused the bridge guard (" + err + "): it needs "
          + "nf_tables with the bridge family (modprobe nf_tables nft_meta_bridge)");
    }
    return new IptablesException(Reason.FAILED, "nft failed with exit code " + result.exitCode() + ": " + err);
  }

  private <T> Mono<T> offLoop(Callable<T> work) {
    return Mono.fromCallable(() -> {
      synchronized (serial) {
        return work.call();
      }
    }).subscribeOn(Schedulers.boundedElastic());
  }
}
