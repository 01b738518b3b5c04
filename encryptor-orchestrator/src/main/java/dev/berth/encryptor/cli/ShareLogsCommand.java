package dev.berth.encryptor.cli;

import dev.berth.encryptor.Session;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code share-logs --instance ID --to-account N}: a snapshot of the root volume, shared. */
@Command(name = "share-logs", mixinStandardHelpOptions = true, usageHelpWidth = 110,
    description = {"Snapshots the root volume of an instance and shares the snapshot with another account "
            + "(createVolumePermission), so its owner can read the logs.",
        "Prints the snapshot id, the only thing on standard output, and says on standard error which KMS permissions "
            + "that account needs. The snapshot is tagged and journaled like every run's resources: a failure deletes "
            + "it, `cleanup` finishes after a crash.", ""})
final class ShareLogsCommand implements Callable<Integer> {

  @Spec
  CommandSpec command;

  @Option(names = "--instance", paramLabel = "ID", required = true, defaultValue = "${env:BERTH_INSTANCE}",
      description = "The instance whose root volume to share (i-...) [BERTH_INSTANCE].")
  String instanceId;

  @Option(names = "--to-account", paramLabel = "N", required = true, defaultValue = "${env:BERTH_TO_ACCOUNT}",
      description = "The account to share with, twelve digits [BERTH_TO_ACCOUNT].")
  String account;

  @Mixin
  Ec2Options ec2;

  @Override
  public Integer call() throws Exception {
    try (Ec2Options.Opened opened = ec2.open()) {
      Session session = Session.create();
      return Interrupts.run(opened.encryptor(), session, opened.encryptor().shareLogs(instanceId, account, session),
          shared -> command.commandLine().getOut().println(shared.snapshotId()));
    }
  }
}
