package dev.berth.provisioner.cli;

import dev.berth.provisioner.Provisioner;
import dev.berth.provisioner.ec2.ManagedInstance;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code inspect GROUP}: the instances, in InfraKit's table. */
@Command(name = "inspect", mixinStandardHelpOptions = true, usageHelpWidth = 110,
    description = "Lists a group's instances as InfraKit did: ID, LOGICAL (the private address) and TAGS.")
final class InspectCommand implements Callable<Integer> {

  @Mixin
  SharedOptions options;

  @Spec
  CommandSpec command;

  @Parameters(paramLabel = "GROUP", description = "The group's ID.")
  String groupId;

  @Override
  public Integer call() {
    try (Provisioner provisioner = options.open()) {
      print(command.commandLine().getOut(), provisioner.groups().inspect(groupId).block());
    }
    return 0;
  }

  /** InfraKit's {@code "%-30s\t%-30s\t%-s\n"} rows, tags as sorted {@code k=v} joined by commas. */
  static void print(PrintWriter out, List<ManagedInstance> instances) {
    out.printf("%-30s\t%-30s\t%s%n", "ID", "LOGICAL", "TAGS");
    for (ManagedInstance instance : instances) {
      String tags = String.join(",", instance.tags().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
      out.printf("%-30s\t%-30s\t%s%n", instance.id(), instance.privateIpAddress().orElse("  -   "), tags);
    }
    out.flush();
  }
}
