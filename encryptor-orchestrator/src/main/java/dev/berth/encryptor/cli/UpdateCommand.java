package dev.berth.encryptor.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code update ID}: re-encrypts an image this tool made, under a new key, and prints the new id. */
@Command(name = "update", mixinStandardHelpOptions = true, usageHelpWidth = 110, sortOptions = false,
    description = {"Re-encrypts image ID, which `encrypt` made, under --kms-key-id, keeping the guest's data, its name "
            + "stem and its tags, and prints the new image's id, the only thing on standard output.",
        "The old image stays.",
        "Strategy native: CopyImage with Encrypted and the new key (launch, stop, CreateImage for billing product codes).",
        "Every resource the run creates is tagged with its session id (printed first on standard error) and "
            + "journaled in --state-dir; on failure, timeout, Ctrl-C or SIGTERM it is deleted before the command ends.",
        "If the process is killed outright, `cleanup SESSION` or `cleanup --all-stale` finishes the job.", ""},
    footer = {"", "Exit status: 0 done, 1 failed (after cleanup), 2 usage or validation error (nothing created), "
        + "130 interrupted (after cleanup)."})
final class UpdateCommand implements Callable<Integer> {

  @Spec
  CommandSpec command;

  @Parameters(paramLabel = "ID", description = "The image to re-encrypt (ami-...), made by `encrypt`.")
  String imageId;

  @Mixin
  EncryptOptions options;

  @Override
  public Integer call() throws Exception {
    return options.execute(imageId, command.commandLine().getOut(), (encryptor, spec, session) -> encryptor.update(spec, session));
  }
}
