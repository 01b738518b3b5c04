package dev.berth.provisioner.cli;

import picocli.CommandLine.Command;

/** The top of the command line; it only holds the subcommands. */
@Command(
    name = "berth-provisioner",
    mixinStandardHelpOptions = true,
    version = "berth-provisioner 0.1.0",
    usageHelpWidth = 110,
    description = {
        "Keeps groups of EC2 instances equal to their InfraKit group specs.",
        "Every option may also be set by the environment variable shown in brackets; credentials come from the AWS "
            + "SDK's standard chain (AWS_ACCESS_KEY_ID, profiles, ...).",
        ""},
    subcommands = {CommitCommand.class, InspectCommand.class, DescribeCommand.class, DestroyCommand.class,
        FreeCommand.class, WatchCommand.class},
    footer = {"", "Example:",
        "  berth-provisioner commit --region us-west-2 aws-example.json",
        "  berth-provisioner inspect aws-example",
        "  berth-provisioner watch"})
final class ProvisionerCommand implements Runnable {

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a command: commit, inspect, describe, destroy, free or watch");
  }
}
