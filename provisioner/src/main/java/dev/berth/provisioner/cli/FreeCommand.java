package dev.berth.provisioner.cli;

import dev.berth.provisioner.Provisioner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code free GROUP}: stop managing a group, leave its instances. */
@Command(name = "free", mixinStandardHelpOptions = true, usageHelpWidth = 110,
    description = "Stops managing a group and forgets its spec; its instances keep running untouched.")
final class FreeCommand implements Callable<Integer> {

  @Mixin
  SharedOptions options;

  @Spec
  CommandSpec command;

  @Parameters(paramLabel = "GROUP", description = "The group's ID.")
  String groupId;

  @Override
  public Integer call() {
    try (Provisioner provisioner = options.open()) {
      provisioner.groups().free(groupId).block();
    }
    command.commandLine().getOut().println("Freed " + groupId);
    return 0;
  }
}
