package dev.berth.iptables.cli;

import dev.berth.iptables.Drift;
import dev.berth.iptables.IptablesSpec;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 110,
    description = {"Compares the rules in place with what the options say; changes nothing.",
        "Prints the differences (+ missing, - unexpected, ~ misplaced, ! another tool's conflicting rule) and exits 1 "
            + "when there are any.",
        ""})
final class CheckCommand implements Callable<Integer> {

  /** Exit code when the rules differ from the spec. */
  static final int DRIFT = 1;

  @ParentCommand
  BerthIptablesCommand parent;

  @Spec
  CommandSpec spec;

  @Mixin
  SpecOptions rules;

  @Mixin
  HostOptions host;

  @Option(names = "--bridge-guard", defaultValue = "${env:BERTH_BRIDGE_GUARD_CHECK:-false}",
      description = "Also check the bridge guard: it is installed, and every port it binds still exists "
          + "[BERTH_BRIDGE_GUARD_CHECK].")
  boolean bridgeGuard;

  @Override
  public Integer call() {
    IptablesSpec wanted = rules.toSpec(parent.parts.bridges());
    Drift drift = parent.parts.iptables().apply(host.builder()).check(wanted).block();
    List<String> guard = bridgeGuard ? parent.parts.guard().apply(host.guard()).check().block() : List.of();
    if (!guard.isEmpty()) {
      guard.forEach(problem -> spec.commandLine().getOut().println("! bridge guard: " + problem));
      spec.commandLine().getOut().flush();
    }
    if (drift.inSync() && guard.isEmpty()) {
      spec.commandLine().getOut().println("in sync: " + Summary.of(wanted));
      return 0;
    }
    if (!drift.inSync()) {
      spec.commandLine().getOut().print(drift.describe());
      spec.commandLine().getOut().flush();
      spec.commandLine().getErr().println("berth-iptables: " + drift.changes().size() + " difference(s) from the spec; "
          + (drift.hasConflicts() ? "remove the conflicting (!) rules, then run install" : "run install to repair them"));
    }
    return DRIFT;
  }
}
