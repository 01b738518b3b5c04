package dev.berth.iptables;

import dev.berth.iptables.Drift.Change;
import dev.berth.iptables.IptablesException.Reason;
import dev.berth.iptables.IptablesSpec.Ipv6;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/*
 * Design notes. Each operation reads the tables it touches with iptables-save, plans from what it
 * read, and writes with one iptables-restore --noflush batch per family; install reads back and
 * compares, so a rule the kernel rewrote differently is an error, not a silent drift. Operations of
 * one instance are serialised (the daemon may reinstall on every Docker network event) and run on
 * boundedElastic, where blocking on a child process is allowed; the xtables lock (-w) serialises
 * against other programs.
 */
final class SystemIptables implements Iptables {

  private static final Logger log = LoggerFactory.getLogger(Iptables.class);

  private final CommandRunner runner;
  private final Backend backend;
  private final Duration lockWait;
  private final Object serial = new Object();
  private volatile Backend detected;

  SystemIptables(CommandRunner runner, Backend backend, Duration lockWait) {
    this.runner = runner;
    this.backend = backend;
    this.lockWait = lockWait;
  }

  @Override
  public Mono<Void> install(IptablesSpec spec) {
    return offLoop(() -> {
      List<Family> families = families(spec.ipv6());
      requireInterfaces(spec.interfaces());
      Map<Family, Map<Table, SavedTable>> current = withoutConflicts(saveAll(families));
      List<Family> changed = new ArrayList<>();
      for (Family family : families) {
        String batch = RestorePlan.install(RuleRenderer.render(spec, family), current.get(family));
        if (!batch.isEmpty()) {
          restore(family, batch);
          changed.add(family);
        }
      }
      if (changed.isEmpty()) {
        log.debug("Berth's iptables rules were already in place");
        return null;
      }
      Drift left = drift(spec, families, saveAll(families));
      if (!left.inSync()) {
        Change first = left.changes().get(0);
        throw new IptablesException(Reason.FAILED, "the rules did not take effect as written: " + first.family() + " "
            + first.table() + " " + first.kind().mark() + " " + first.rule());
      }
      log.info("Berth's iptables rules are in place ({} written): {} to port {} from {}", changed, spec.steering(),
          spec.proxyPort(), spec.interfaces());
      return null;
    });
  }

  @Override
  public Mono<Void> remove() {
    return offLoop(() -> {
      for (Family family : families(Ipv6.AUTO)) {
        String batch = RestorePlan.remove(save(family));
        if (!batch.isEmpty()) {
          restore(family, batch);
          log.info("removed Berth's {} iptables rules", family.label);
        }
      }
      return null;
    });
  }

  @Override
  public Mono<Drift> check(IptablesSpec spec) {
    return offLoop(() -> {
      List<Family> families = families(spec.ipv6());
      return drift(spec, families, saveAll(families));
    });
  }

  @Override
  public Mono<String> plan(IptablesSpec spec) {
    return offLoop(() -> {
      List<Family> families = families(spec.ipv6());
      requireInterfaces(spec.interfaces());
      Map<Family, Map<Table, SavedTable>> current = withoutConflicts(saveAll(families));
      StringBuilder out = new StringBuilder();
      for (Family family : families) {
        String batch = RestorePlan.install(RuleRenderer.render(spec, family), current.get(family));
        out.append("# ").append(family.label).append(": ").append(String.join(" ", restoreCommand(family))).append('\n');
        out.append(batch.isEmpty() ? "# nothing to change\n" : batch);
      }
      return out.toString();
    });
  }

  @Override
  public Mono<String> show() {
    return offLoop(() -> {
      StringBuilder out = new StringBuilder();
      for (Family family : families(Ipv6.AUTO)) {
        out.append("# ").append(family.label).append(": ").append(family.command).append(" (")
            .append(resolvedBackend().name().toLowerCase(Locale.ROOT)).append(")\n");
        Map<Table, SavedTable> saved = save(family);
        boolean any = false;
        for (Table table : Table.values()) {
          List<String> lines = DriftCalculator.inPlace(table, saved.get(table));
          if (!lines.isEmpty()) {
            any = true;
            out.append('*').append(table.name).append('\n');
            lines.forEach(line -> out.append(line).append('\n'));
            out.append("COMMIT\n");
          }
        }
        if (!any) {
          out.append("# no Berth rules\n");
        }
      }
      return out.toString();
    });
  }

  @Override
  public Mono<Backend> backend() {
    return offLoop(this::resolvedBackend);
  }

  /**
   * Runs {@code work} on boundedElastic, one operation at a time. An operation cancelled while it
   * waits for its turn never starts: the daemon disposes its install-on-every-event subscription and
   * then removes the rules, and a queued install must not put them back afterwards.
   */
  private <T> Mono<T> offLoop(Callable<T> work) {
    return Mono.defer(() -> {
      AtomicBoolean cancelled = new AtomicBoolean();
      return Mono.fromCallable(() -> {
        synchronized (serial) {
          return cancelled.get() ? null : work.call();
        }
      }).subscribeOn(Schedulers.boundedElastic()).doOnCancel(() -> cancelled.set(true));
    });
  }

  private Drift drift(IptablesSpec spec, List<Family> families, Map<Family, Map<Table, SavedTable>> current) {
    List<Change> changes = new ArrayList<>();
    for (Family family : families) {
      changes.addAll(DriftCalculator.compare(family, RuleRenderer.render(spec, family), current.get(family)));
    }
    return new Drift(changes);
  }

  private Map<Family, Map<Table, SavedTable>> saveAll(List<Family> families) {
    Map<Family, Map<Table, SavedTable>> current = new EnumMap<>(Family.class);
    for (Family family : families) {
      current.put(family, save(family));
    }
    return current;
  }

  /** Refuses, before anything changes in any family, when another tool's rule is in the way. */
  private static Map<Family, Map<Table, SavedTable>> withoutConflicts(Map<Family, Map<Table, SavedTable>> current) {
    current.forEach((family, tables) -> {
      List<Change> conflicts = DriftCalculator.conflicts(family, tables.get(Table.NAT));
      if (!conflicts.isEmpty()) {
        String rule = conflicts.get(0).rule();
        throw new IptablesException(Reason.CONFLICT, "another tool's rule already steers the metadata address: '"
            + rule + "'; remove it (" + family.command + " -t nat -D" + rule.substring(2) + ") and install again");
      }
    });
    return current;
  }

  private Map<Table, SavedTable> save(Family family) {
    Map<Table, SavedTable> tables = new EnumMap<>(Table.class);
    String command = HostFacts.binary(family, backendForBinaries(), "save");
    for (Table table : Table.values()) {
      CommandRunner.Result result = runner.run(List.of(command, "-t", table.name), null);
      if (!result.succeeded()) {
        throw Failures.of(command, result);
      }
      tables.put(table, SavedTable.parse(table.name, result.stdout()));
    }
    return tables;
  }

  private void restore(Family family, String batch) {
    List<String> command = restoreCommand(family);
    log.debug("{} <<\n{}", command, batch);
    CommandRunner.Result result = runner.run(command, batch);
    if (!result.succeeded()) {
      throw Failures.of(command.get(0), result);
    }
  }

  private List<String> restoreCommand(Family family) {
    return List.of(HostFacts.binary(family, backendForBinaries(), "restore"), "-w",
        Long.toString(lockWait.toSeconds()), "--noflush");
  }

  /** Resolves AUTO once, which also proves iptables is installed before anything is planned. */
  private Backend backendForBinaries() {
    resolvedBackend();
    return backend;
  }

  private Backend resolvedBackend() {
    if (backend != Backend.AUTO) {
      return backend;
    }
    Backend known = detected;
    if (known == null) {
      CommandRunner.Result version = runner.run(List.of("iptables", "--version"), null);
      if (!version.succeeded()) {
        throw Failures.of("iptables", version);
      }
      known = HostFacts.backend(version.stdout() + version.stderr());
      detected = known;
      log.info("iptables backend: {}", known);
    }
    return known;
  }

  private List<Family> families(Ipv6 mode) {
    boolean ipv6 = switch (mode) {
      case ON -> true;
      case OFF -> false;
      case AUTO -> runner.read(HostFacts.IPV6).isPresent();
    };
    return ipv6 ? List.of(Family.IPV4, Family.IPV6) : List.of(Family.IPV4);
  }

  private void requireInterfaces(List<String> names) {
    if (names.isEmpty()) {
      return;
    }
    Set<String> present = HostFacts.interfaces(runner.read(HostFacts.INTERFACES).orElse(""));
    Set<String> unknown = new TreeSet<>(names);
    unknown.removeAll(present);
    if (!unknown.isEmpty()) {
      throw new IptablesException(Reason.UNKNOWN_INTERFACE, "unknown interface '" + String.join("', '", unknown)
          + "': this host has " + String.join(", ", present) + "; give a bridge such as docker0");
    }
  }
}
