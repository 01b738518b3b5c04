package dev.berth.iptables.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "show", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 110,
    description = {"Prints Berth's rules as they are in place: the iptables chains, then the bridge guard.",
        "The chains in iptables-save format, IPv4 and IPv6; the bridge guard as nftables table bridge berth: each "
            + "bound container port with its MAC and addresses.", ""})
final class ShowCommand implements Callable<Integer> {

  @ParentCommand
  BerthIptablesCommand parent;

  @Spec
  CommandSpec spec;

  @Mixin
  HostOptions host;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(parent.parts.iptables().apply(host.builder()).show().block());
    spec.commandLine().getOut().println("# bridge guard: nft list table bridge berth");
    spec.commandLine().getOut().print(parent.parts.guard().apply(host.guard()).show().block());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
