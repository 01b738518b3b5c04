package dev.berth.iptables.cli;

import dev.berth.iptables.Iptables;
import dev.berth.iptables.IptablesSpec;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "install", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 110,
    description = {"Makes Berth's rules exactly what the options say, atomically: creates or repairs its chains, "
            + "replaces their rules, keeps one jump to each.",
        "Running it twice changes nothing. Refuses when another tool's rule already steers the metadata address.", ""})
final class InstallCommand implements Callable<Integer> {

  @ParentCommand
  BerthIptablesCommand parent;

  @Spec
  CommandSpec spec;

  @Mixin
  SpecOptions rules;

  @Mixin
  HostOptions host;

  @Option(names = "--dry-run", defaultValue = "${env:BERTH_IPTABLES_DRY_RUN:-false}",
      description = "Print the iptables-restore batches instead of applying them [BERTH_IPTABLES_DRY_RUN].")
  boolean dryRun;

  @Override
  public Integer call() {
    IptablesSpec wanted = rules.toSpec(parent.parts.bridges());
    Iptables iptables = parent.parts.iptables().apply(host.builder());
    if (dryRun) {
      spec.commandLine().getOut().print(iptables.plan(wanted).block());
      spec.commandLine().getOut().flush();
      return 0;
    }
    iptables.install(wanted).block();
    spec.commandLine().getOut().println("installed: " + Summary.of(wanted));
    return 0;
  }
}
