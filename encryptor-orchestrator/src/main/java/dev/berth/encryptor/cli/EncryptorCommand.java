package dev.berth.encryptor.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The top of the command line; it only holds the subcommands. */
@Command(
    name = "berth-encryptor",
    mixinStandardHelpOptions = true,
    version = "berth-encryptor 0.1.0",
    usageHelpWidth = 110,
    description = {
        "Makes encrypted copies of EC2 machine images, and never leaves a temporary resource behind.",
        "Every option may also be set by the environment variable shown in brackets; credentials come from the AWS "
            + "SDK's standard chain (AWS_ACCESS_KEY_ID, profiles, ...).",
        ""},
    subcommands = {EncryptCommand.class, UpdateCommand.class, DiagCommand.class, ShareLogsCommand.class,
        CleanupCommand.class},
    footer = {"", "Exit status: 0 done, 1 failed (after cleanup), 2 usage or validation error (nothing created), "
        + "130 interrupted (after cleanup).", "", "Example:",
        "  berth-encryptor encrypt --region us-west-2 ami-0123456789abcdef0 > new-image-id",
        "  berth-encryptor cleanup --region us-west-2 --all-stale"})
final class EncryptorCommand implements Runnable {

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a command: encrypt, update, diag, share-logs or cleanup");
  }
}
