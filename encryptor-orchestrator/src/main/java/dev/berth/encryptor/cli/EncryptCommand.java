package dev.berth.encryptor.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code encrypt ID}: makes an encrypted copy of an image and prints its id. */
@Command(name = "encrypt", mixinStandardHelpOptions = true, usageHelpWidth = 110, sortOptions = false,
    description = {"Makes an encrypted copy of image ID and prints the new image's id, the only thing on standard output.",
        "Strategy native: CopyImage with Encrypted and the key; an image with billing product codes (which EC2 "
            + "cannot copy) is launched with every EBS volume encrypted, stopped, and imaged with CreateImage.",
        "Every resource the run creates is tagged with its session id (printed first on standard error) and "
            + "journaled in --state-dir; on failure, timeout, Ctrl-C or SIGTERM it is deleted before the command ends.",
        "If the process is killed outright, `cleanup SESSION` or `cleanup --all-stale` finishes the job.", ""},
    footer = {"", "Exit status: 0 done, 1 failed (after cleanup), 2 usage or validation error (nothing created), "
        + "130 interrupted (after cleanup)."})
final class EncryptCommand implements Callable<Integer> {

  @Spec
  CommandSpec command;

  @Parameters(paramLabel = "ID", description = "The image to encrypt (ami-...).")
  String imageId;

  @Mixin
  EncryptOptions options;

  @Override
  public Integer call() throws Exception {
    return options.encrypt(imageId, command.commandLine().getOut());
  }
}
