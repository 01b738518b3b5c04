package dev.berth.iptables.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "remove", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 110,
    description = {"Deletes Berth's chains and every jump to them (IPv4 and IPv6), then the bridge guard.",
        "Succeeds when there are none.", ""})
final class RemoveCommand implements Callable<Integer> {

  @ParentCommand
  BerthIptablesCommand parent;

  @Spec
  CommandSpec spec;

  @Mixin
  HostOptions host;

  @Override
  public Integer call() {
    parent.parts.iptables().apply(host.builder()).remove().block();
    parent.parts.guard().apply(host.guard()).remove().block();
    spec.commandLine().getOut().println("removed: no Berth rule remains");
    return 0;
  }
}
