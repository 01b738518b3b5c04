package dev.berth.provisioner.controller;

import dev.berth.provisioner.ec2.ManagedInstance;
import dev.berth.provisioner.spec.GroupSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides what a round does, from the spec and what EC2 shows; a pure function, so every rule is
 * tested without EC2.
 *
 * <p>Design notes. Out-of-date instances (another {@code infrakit.config.hash}) are removed
 * before current ones, and instances that are not running before those that are. A rolling
 * update keeps at least {@code desired - MaxUnavailable} instances running and at most
 * {@code desired + Surge} in all (never above the cap), and starts a batch only when the
 * controller says the last one has settled: every current instance running, plus the spec's
 * {@code Count} or {@code Duration}. Launches never take a group above the cap.
 */
final class Planner {

  /** Removal order: out of date first, then not running, then the newest. */
  private static Comparator<ManagedInstance> removalOrder(String hash) {
    return Comparator.<ManagedInstance, Boolean>comparing(i -> i.configHash().equals(hash))
        .thenComparing(ManagedInstance::running)
        .thenComparing(ManagedInstance::launchTime, Comparator.reverseOrder())
        .thenComparing(ManagedInstance::id);
  }

  private Planner() {}

  /** Whether every instance with the current hash is running: a batch has settled. */
  static boolean settled(GroupSpec spec, List<ManagedInstance> observed) {
    return live(observed).stream().filter(i -> i.configHash().equals(spec.configHash())).allMatch(ManagedInstance::running);
  }

  static Step step(GroupSpec spec, List<ManagedInstance> observed, int cap, boolean batchMayStart) {
    return spec.allocation().logicalIds().isEmpty()
        ? bySize(spec, live(observed), cap, batchMayStart)
        : byLogicalId(spec, observed, batchMayStart);
  }

  static PlanSummary summary(GroupSpec spec, List<ManagedInstance> observed) {
    List<ManagedInstance> live = live(observed);
    String hash = spec.configHash();
    if (spec.allocation().logicalIds().isEmpty()) {
      int n = spec.allocation().count();
      long current = live.stream().filter(i -> i.configHash().equals(hash)).count();
      int old = (int) (live.size() - current);
      int removals = old + (int) Math.max(0, current - n);
      int additions = (int) Math.max(0, n - current);
      int replace = Math.min(old, additions);
      return new PlanSummary(additions - replace, removals - replace, replace);
    }
    Set<String> wanted = new HashSet<>(spec.allocation().logicalIds());
    Map<String, ManagedInstance> byAddress = new LinkedHashMap<>();
    int terminate = 0;
    for (ManagedInstance i : live) {
      String address = i.privateIpAddress().orElse("");
      if (!wanted.contains(address) || byAddress.putIfAbsent(address, i) != null) {
        terminate++;
      }
    }
    int replace = (int) byAddress.values().stream().filter(i -> !i.configHash().equals(hash)).count();
    return new PlanSummary(wanted.size() - byAddress.size(), terminate, replace);
  }

  private static Step bySize(GroupSpec spec, List<ManagedInstance> live, int cap, boolean batchMayStart) {
    String hash = spec.configHash();
    int n = spec.allocation().count();
    List<ManagedInstance> ordered = new ArrayList<>(live);
    ordered.sort(removalOrder(hash));
    List<ManagedInstance> old = ordered.stream().filter(i -> !i.configHash().equals(hash)).toList();
    if (old.isEmpty()) {
      int excess = Math.max(0, live.size() - n);
      int launch = Math.max(0, Math.min(n - live.size(), cap - live.size()));
      return new Step(ids(ordered.subList(0, excess)), unaddressed(launch), false, Optional.empty());
    }
    int surge = Math.min(spec.updating().surge(), Math.max(0, cap - n));
    int unavailable = spec.updating().maxUnavailable();
    List<ManagedInstance> remaining = new ArrayList<>(ordered);
    List<String> terminate = new ArrayList<>();
    // Out-of-date instances that are not running serve nobody: they go at once.
    for (ManagedInstance i : old) {
      if (!i.running()) {
        terminate.add(i.id());
        remaining.remove(i);
      }
    }
    while (remaining.size() > n + surge) {
      terminate.add(remaining.remove(0).id());
    }
    boolean rolling = false;
    Optional<String> waiting = Optional.empty();
    if (!batchMayStart) {
      waiting = Optional.of("waiting for the last batch of replacements to be running");
    } else {
      long running = remaining.stream().filter(ManagedInstance::running).count();
      long budget = Math.max(0, running - (n - unavailable));
      for (ManagedInstance i : List.copyOf(remaining)) {
        if (budget == 0 || i.configHash().equals(hash)) {
          break;
        }
        terminate.add(i.id());
        remaining.remove(i);
        budget--;
        rolling = true;
      }
    }
    long currentLeft = remaining.stream().filter(i -> i.configHash().equals(hash)).count();
    int launch = (int) Math.max(0, Math.min(n - currentLeft, Math.min(n + surge, cap) - remaining.size()));
    return new Step(terminate, unaddressed(launch), rolling, waiting);
  }

  private static Step byLogicalId(GroupSpec spec, List<ManagedInstance> observed, boolean batchMayStart) {
    String hash = spec.configHash();
    Set<String> wanted = new HashSet<>(spec.allocation().logicalIds());
    List<ManagedInstance> ordered = new ArrayList<>(live(observed));
    ordered.sort(removalOrder(hash).reversed());
    Map<String, ManagedInstance> byAddress = new LinkedHashMap<>();
    List<String> terminate = new ArrayList<>();
    for (ManagedInstance i : ordered) {
      String address = i.privateIpAddress().orElse("");
      if (!wanted.contains(address) || byAddress.putIfAbsent(address, i) != null) {
        terminate.add(i.id());
      }
    }
    // An address is free only once its instance is terminated; shutting-down still holds it.
    Set<String> held = new HashSet<>(byAddress.keySet());
    observed.stream().filter(i -> i.state().equals("shutting-down"))
        .forEach(i -> i.privateIpAddress().ifPresent(held::add));
    boolean rolling = false;
    Optional<String> waiting = Optional.empty();
    List<ManagedInstance> old = byAddress.values().stream().filter(i -> !i.configHash().equals(hash))
        .sorted(removalOrder(hash)).toList();
    if (!old.isEmpty() && !batchMayStart) {
      waiting = Optional.of("waiting for the last batch of replacements to be running");
    } else if (!old.isEmpty()) {
      long running = byAddress.values().stream().filter(ManagedInstance::running).count();
      long budget = Math.max(0, running - (wanted.size() - spec.updating().maxUnavailable()));
      for (ManagedInstance i : old) {
        if (!i.running() || budget-- > 0) {
          terminate.add(i.id());
          rolling |= i.running();
        }
      }
    }
    List<Optional<String>> launches = new ArrayList<>();
    for (String address : spec.allocation().logicalIds()) {
      if (!held.contains(address)) {
        launches.add(Optional.of(address));
      }
    }
    return new Step(terminate, launches, rolling, waiting);
  }

  private static List<ManagedInstance> live(List<ManagedInstance> observed) {
    return observed.stream().filter(i -> !i.state().equals("shutting-down") && !i.state().equals("terminated")).toList();
  }

  private static List<String> ids(List<ManagedInstance> instances) {
    return instances.stream().map(ManagedInstance::id).toList();
  }

  private static List<Optional<String>> unaddressed(int count) {
    List<Optional<String>> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(Optional.empty());
    }
    return out;
  }
}
